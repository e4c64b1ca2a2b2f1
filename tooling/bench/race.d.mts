/** Summed outcome of the racing workers. */
export interface RaceResult {
  admitted: number;
  denied: number;
  errors: number;
  messages: string[];
  /** The slowest worker's racing time (only with `withTime`). */
  elapsedMs?: number;
}
/** Runs `processes` workers racing `attempts` guarded calls each. */
export function race(backend: "sqlite" | "postgresql" | "csv", location: string, processes: number, attempts: number, options?: { withTime?: boolean; tags?: Record<string, string> }): Promise<RaceResult>;

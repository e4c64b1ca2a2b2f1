/** One HTTP answer, independent of any server framework. */
export interface MetricsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Extra headers (e.g. `www-authenticate` on a 401). */
  readonly headers?: Readonly<Record<string, string>>;
}

import { watch, type FSWatcher } from "node:fs";
import type { Accounting } from "@llm-accounting/core";
import { importAgentLogs, type AgentImportOptions, type AgentImportSummary } from "./import-agent-logs.js";
import { logRoots, type AgentName } from "./log-locations.js";

/** Options of {@link watchAgentLogs}. */
export interface AgentWatchOptions extends AgentImportOptions {
  /** Stops watching; the promise resolves once the import in progress (if any) has finished. */
  readonly signal: AbortSignal;
  /** Quiet time after the last change before importing (default 500 ms): an agent writes a response as a burst of lines. */
  readonly debounceMs?: number;
  /** Hears each run's summary (the first run included). */
  readonly onImport?: (summary: AgentImportSummary) => void;
  /** Hears a run that failed (the watch goes on; the next change retries). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Imports an agent's logs, then again after each burst of changes under its log directories
 * (fs.watch, recursive, debounced) until `signal` aborts. Runs never overlap: a change during a
 * run schedules one more run after it. Idle, it costs nothing but the watch handles.
 */
export async function watchAgentLogs(agent: AgentName, accounting: Accounting, options: AgentWatchOptions): Promise<void> {
  const { signal, debounceMs = 500 } = options;
  const roots = await logRoots(agent, options.dir, options.env ?? process.env);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = importAgentLogs(agent, accounting, options)
      .then((summary) => options.onImport?.(summary), (error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  try {
    for (const root of roots) watchers.push(watch(root, { recursive: true }, changed).on("error", (error) => options.onError?.(error)));
    run();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
    again = false;
    await running;
  }
}

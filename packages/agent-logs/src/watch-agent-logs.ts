import { watch, type FSWatcher } from "node:fs";
import type { Accounting } from "@llm-accounting/core";
import { importAgentLogs, type AgentImportOptions, type AgentImportSummary } from "./import-agent-logs.js";
import { logRoots, walkLogs, type AgentName } from "./log-locations.js";

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
 * until `signal` aborts. Runs never overlap: a change during a run schedules one more run after it.
 * Each directory gets its own non-recursive fs.watch (inotify on Linux), refreshed after every run
 * so new session directories are watched too: Node 20's recursive watch on Linux polls every file
 * with stat, which costs CPU while idle in proportion to the number of logs.
 */
export async function watchAgentLogs(agent: AgentName, accounting: Accounting, options: AgentWatchOptions): Promise<void> {
  const { signal, debounceMs = 500 } = options;
  const roots = await logRoots(agent, options.dir, options.env ?? process.env);
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };
  const watchDirectories = async (): Promise<void> => {
    const { directories } = await walkLogs(roots);
    const current = new Set(directories);
    for (const [dir, watcher] of watchers) {
      if (!current.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of directories) {
      if (watchers.has(dir) || signal.aborted) continue;
      try {
        // A directory removed meanwhile reports an error: drop it, the next refresh decides.
        watchers.set(dir, watch(dir, changed).on("error", () => watchers.get(dir)?.close()));
      } catch {
        // Gone between the walk and the watch.
      }
    }
  };
  function run(): void {
    if (signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = importAgentLogs(agent, accounting, { ...options, signal })
      .then((summary) => options.onImport?.(summary), (error: unknown) => options.onError?.(error))
      .then(watchDirectories)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  }

  try {
    await watchDirectories();
    run();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearTimeout(timer);
    again = false;
    await running;
    for (const watcher of watchers.values()) watcher.close();
  }
}

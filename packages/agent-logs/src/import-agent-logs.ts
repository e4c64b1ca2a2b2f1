import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { normalizeUsage, pricedUsageOf, ValidationError, type Accounting, type AgentCall, type AgentLogFile, type NewUsageRecord, type PricedUsage } from "@llm-accounting/core";
import type { LoggedCall } from "./agent-call-line.js";
import { CLAUDE_USAGE_MARKER, claudeCallOfLine, claudeFileAgent } from "./claude-code/claude-line.js";
import { CODEX_MARKERS, codexCallOfLine, emptyCodexState, type CodexState } from "./codex/codex-session.js";
import { fingerprint, readHead, sameHead } from "./file-head.js";
import { logFiles, logRoots, type AgentName } from "./log-locations.js";
import { MAX_LINE_BYTES, scanLines, type ScanPoint } from "./line-scanner.js";

/** Options of {@link importAgentLogs}. */
export interface AgentImportOptions {
  /** The agent's config directory (holding `projects/` or `sessions/`) or its log directory; default: the agent's own defaults. */
  readonly dir?: string;
  /** Environment to read CLAUDE_CONFIG_DIR / CODEX_HOME and the home directory from (default the process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Hears problems that do not stop the import: a corrupt line (file and line named), a call the store refuses. */
  readonly onWarning?: (message: string) => void;
  /**
   * Awaited before calls are priced (once per batch: make it idempotent), so a caller can load a
   * large price catalog only when there is something to price (an unchanged rerun never loads it).
   */
  readonly beforePricing?: () => Promise<void>;
  /**
   * Ends the run early, at the next chunk boundary (what was read is committed with its file's
   * position, so the next run goes on from there): a watch stopped with Ctrl-C during a large
   * first import does not make the user wait for the end of it.
   */
  readonly signal?: AbortSignal;
  /** Calls per transaction (default 2,000): bounds memory and how much a crash makes the next run redo. */
  readonly batchSize?: number;
}

/** What one import run did. */
export interface AgentImportSummary {
  readonly files: number;
  /** Files that had new bytes (the others cost one stat). */
  readonly filesRead: number;
  readonly bytesRead: number;
  /** Calls stored for the first time. */
  readonly inserted: number;
  /** Calls stored before and updated from a larger copy (the final line of a streamed response). */
  readonly updated: number;
  /** Lines skipped as corrupt (each warned about). */
  readonly corruptLines: number;
  /** Models of calls read in this run that had no price (recorded with cost 0, `unpriced`; `reprice` fills them in once priced). */
  readonly unpricedModels: readonly string[];
}

/** Files whose heads are read at once when ordering a run (bounded: thousands of new files must not exhaust file descriptors). */
const HEADS_AT_ONCE = 32;

/** At most this many corrupt lines are named per file; the rest are counted. */
const WARNED_LINES_PER_FILE = 5;

/** Tokens of a copy: the larger of two copies of one call is the complete one. */
const sizeOf = (call: LoggedCall) => call.promptTokens + call.completionTokens;

/**
 * Imports the model calls in an agent's logs into the accounting's store: every call once (by
 * the identifiers the logs carry, across files and runs), priced by the accounting's prices,
 * incrementally (each file's progress is stored with its rows; an unchanged file costs a stat).
 */
export async function importAgentLogs(agent: AgentName, accounting: Accounting, options: AgentImportOptions = {}): Promise<AgentImportSummary> {
  const store = accounting.store;
  if (!store.agentLogFiles || !store.importAgentCalls) {
    throw new ValidationError("store", `${store.description} cannot record agent log imports (it keeps no per-call keys or file progress); use the sqlite or postgresql backend`);
  }
  const roots = await logRoots(agent, options.dir, options.env ?? process.env);
  await accounting.open();
  const known = new Map((await store.agentLogFiles(agent)).map((f) => [f.path, f]));
  const listed = await Promise.all((await logFiles(roots)).map(async (path) => ({ path, stats: await stat(path).catch(() => null) })));
  const present = listed.filter((f) => f.stats !== null);
  // Only files that changed are opened: an unchanged one costs its stat.
  const changed = present.filter(({ path, stats }) => {
    const before = known.get(path);
    return !before || before.size !== stats!.size || before.mtimeMs !== stats!.mtimeMs;
  });
  // Earliest logged call first: a call copied into a later file (a resumed session) keeps the
  // session it first appeared in, also when every file has the same mtime (restored, copied).
  const firsts = new Map<string, number>();
  for (let i = 0; i < changed.length; i += HEADS_AT_ONCE) {
    await Promise.all(
      changed.slice(i, i + HEADS_AT_ONCE).map(async ({ path, stats }) => {
        const head = await readHead(path, stats!.size).catch(() => null);
        firsts.set(path, (head && firstLoggedTime(head)) ?? stats!.mtimeMs);
      }),
    );
  }
  changed.sort((a, b) => firsts.get(a.path)! - firsts.get(b.path)! || a.stats!.mtimeMs - b.stats!.mtimeMs || (a.path < b.path ? -1 : 1));
  const totals = { files: present.length, filesRead: 0, bytesRead: 0, inserted: 0, updated: 0, corruptLines: 0 };
  const unpriced = new Set<string>();
  for (const { path, stats } of changed) {
    if (options.signal?.aborted) break;
    let result;
    try {
      result = await importFile(agent, accounting, path, stats!.size, stats!.mtimeMs, known.get(path), options, unpriced);
    } catch (error) {
      // A file removed or made unreadable since the listing: the others still count (store errors still stop the run).
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code !== "ENOENT" && code !== "EACCES" && code !== "EPERM" && code !== "EISDIR") throw error;
      options.onWarning?.(`${path}: skipped, cannot be read (${code})`);
      continue;
    }
    totals.filesRead++;
    totals.bytesRead += result.bytesRead;
    totals.inserted += result.inserted;
    totals.updated += result.updated;
    totals.corruptLines += result.corruptLines;
  }
  return { ...totals, unpricedModels: [...unpriced].sort() };
}

/** The parser of one file: turns lines into calls, with state that survives between runs. */
interface FileParser {
  readonly markers: readonly Buffer[];
  call(line: unknown): LoggedCall | null;
  state(): string;
}

function parserFor(agent: AgentName, path: string, saved: string | undefined): FileParser {
  if (agent === "claude-code") {
    const fileAgent = claudeFileAgent(basename(path));
    return { markers: [CLAUDE_USAGE_MARKER], call: (line) => claudeCallOfLine(line, fileAgent), state: () => "{}" };
  }
  const state: CodexState = saved ? { ...emptyCodexState(), ...(JSON.parse(saved) as Partial<CodexState>) } : emptyCodexState();
  return { markers: CODEX_MARKERS, call: (line) => codexCallOfLine(state, line), state: () => JSON.stringify(state) };
}

/** The first `"timestamp"` in a file's head, in ms (both agents write ISO instants on their lines), else null. */
function firstLoggedTime(head: Buffer): number | null {
  const match = /"timestamp":"([^"]{10,40})"/.exec(head.toString("latin1"));
  const time = match ? Date.parse(match[1]!) : Number.NaN;
  return Number.isNaN(time) ? null : time;
}

async function importFile(
  agent: AgentName,
  accounting: Accounting,
  path: string,
  size: number,
  mtimeMs: number,
  before: AgentLogFile | undefined,
  options: AgentImportOptions,
  unpriced: Set<string>,
) {
  const warn = options.onWarning ?? (() => undefined);
  const batchSize = options.batchSize ?? 2_000;
  // Go on from where the last run stopped, unless the file was replaced or cut short meanwhile.
  const headBytes = await readHead(path, size);
  const resume = before !== undefined && size >= before.position && sameHead(headBytes, before.head);
  const from: ScanPoint = resume ? { position: before.position, lines: before.lines } : { position: 0, lines: 0 };
  const parser = parserFor(agent, path, resume ? before.state : undefined);
  const head = fingerprint(headBytes);
  let pending = new Map<string, LoggedCall>();
  let corrupt = 0;
  let inserted = 0;
  let updated = 0;
  const skip = (lineNumber: number, why: string) => {
    corrupt++;
    if (corrupt <= WARNED_LINES_PER_FILE) warn(`${path}:${lineNumber}: skipped, ${why}`);
  };

  const visit = (bytes: Buffer, start: number, end: number, lineNumber: number, marked: boolean) => {
    if (end > start && bytes[end - 1] === 13) end--; // CRLF
    if (end === start) return;
    if (!marked) {
      // Unparsed lines still get a cheap shape check, so junk in a log is reported, not silently dropped.
      if (bytes[start] !== 123 || bytes[end - 1] !== 125) skip(lineNumber, "not a JSON object");
      return;
    }
    let line: unknown;
    try {
      line = JSON.parse(bytes.toString("utf8", start, end));
    } catch (error) {
      skip(lineNumber, `not valid JSON (${(error as Error).message})`);
      return;
    }
    const call = parser.call(line);
    if (call === null) return;
    const seen = pending.get(call.key);
    if (seen === undefined) pending.set(call.key, call);
    // The larger copy's tokens; the first copy's time, session and project.
    else if (sizeOf(call) > sizeOf(seen)) pending.set(call.key, { ...call, timestamp: seen.timestamp, session: seen.session, project: seen.project, subagent: seen.subagent });
  };

  // `done`: the whole file was read. Until then the recorded size is the position reached, so a
  // run that stops or crashes between batches is not taken for an unchanged file next time.
  const flush = async (point: ScanPoint, done = false) => {
    if (pending.size > 0) await options.beforePricing?.();
    const calls = await agentCalls(agent, accounting, [...pending.values()], warn, path);
    for (const call of calls) if (call.record.costSource === "unpriced") unpriced.add(call.record.model);
    pending = new Map();
    const counts = await accounting.store.importAgentCalls!(calls, { source: agent, path, size: done ? size : point.position, mtimeMs, position: point.position, lines: point.lines, head, state: parser.state() });
    inserted += counts.inserted;
    updated += counts.updated;
  };

  let stoppedAt: ScanPoint | undefined;
  const end = await scanLines(path, from, size, parser.markers, visit, {
    checkpoint: async (point) => {
      if (pending.size >= batchSize || options.signal?.aborted) await flush(point);
      if (options.signal?.aborted) {
        stoppedAt = point;
        throw STOPPED;
      }
    },
    overlong: (lineNumber) => skip(lineNumber, `longer than ${MAX_LINE_BYTES >> 20} MiB`),
  }).catch((error: unknown) => {
    if (error !== STOPPED) throw error;
    return stoppedAt!;
  });
  if (stoppedAt === undefined) await flush(end, true);
  if (corrupt > WARNED_LINES_PER_FILE) warn(`${path}: ${corrupt - WARNED_LINES_PER_FILE} more corrupt lines skipped`);
  return { bytesRead: end.position - from.position, inserted, updated, corruptLines: corrupt };
}

/** Thrown from a checkpoint to end a scan when the run is stopped (after committing what was read). */
const STOPPED = Symbol("stopped");

/** The token columns are 32-bit integers on PostgreSQL. */
const MAX_COLUMN_TOKENS = 2_147_483_647;

/**
 * Turns logged calls into rows: validated like tracked calls (a name the store cannot keep is
 * warned about and the call skipped), a cost the log states kept as given, the rest priced.
 * Prices know one cache-write rate (the 5-minute one); a call with 1-hour writes adds the
 * difference, derived from two quotes of the same call at the same prompt size (so the same tier).
 */
async function agentCalls(agent: AgentName, accounting: Accounting, calls: readonly LoggedCall[], warn: (message: string) => void, path: string): Promise<AgentCall[]> {
  const rows: { call: LoggedCall; record: NewUsageRecord }[] = [];
  for (const call of calls) {
    if (call.promptTokens + call.completionTokens > MAX_COLUMN_TOKENS) {
      // No model call is that large; the row would not fit PostgreSQL's integer columns and would block every later run.
      warn(`${path}: call ${call.key} skipped: implausible token counts (${call.promptTokens} in, ${call.completionTokens} out)`);
      continue;
    }
    try {
      const record = normalizeUsage(
        {
          model: call.model,
          promptTokens: call.promptTokens,
          completionTokens: call.completionTokens,
          cachedTokens: call.cachedTokens,
          cacheWriteTokens: call.cacheWriteTokens,
          cacheWrite1hTokens: call.cacheWrite1hTokens,
          reasoningTokens: call.reasoningTokens,
          provider: call.provider,
          timestamp: call.timestamp,
          callerName: agent,
          project: call.project,
          session: call.session,
          ...(call.reportedCostUsd !== null && { cost: call.reportedCostUsd, costSource: "provider" as const }),
        },
        accounting.defaults,
        call.timestamp,
      );
      rows.push({ call, record });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      warn(`${path}: call ${call.key} skipped: ${error.message}`);
    }
  }
  // Core's pricing prices the 1-hour cache writes at their own rate (the record carries them).
  const toQuote: PricedUsage[] = rows.flatMap(({ record }) => (record.costSource === null ? [pricedUsageOf(record)] : []));
  const quotes = toQuote.length > 0 ? await accounting.quoteUsages(toQuote) : [];
  let next = 0;
  return rows.map(({ call, record }) => {
    let priced = record;
    if (record.costSource === null) {
      const quote = quotes[next++];
      priced = quote?.priced ? { ...record, costNanos: quote.costNanos, costSource: "price" } : { ...record, costNanos: 0n, costSource: "unpriced" };
    }
    return { key: call.key, record: priced, cacheWrite1hTokens: call.cacheWrite1hTokens, subagent: call.subagent };
  });
}

import { ConflictError, importsOf, ValidationError, type ImportBatch, type ImportStore, type UsageLimit, type UsageStore } from "@llm-accounting/core";
import { auditFromPython, limitFromPython, rejectionFromPython, usageFromPython, userFromPython } from "./python-rows.js";
import type { PythonSource, SourceRow } from "./python-source.js";

/** Progress of one table: rows done out of rows to do in this run. */
export type ImportProgress = (table: string, done: number, total: number) => void;

/** What an import copied, per table (rows already present before are not counted). */
export type ImportSummary = Record<string, number>;

const BATCH = 2_000;

/**
 * Copies a Python llm-accounting database into a store: usage, audit entries and rejections
 * append from where the last import of this source stopped (an atomic cursor per table, so a rerun
 * or a resumed run copies nothing twice); limits, projects and users are copied when not
 * already present.
 */
export async function importPythonDatabase(source: PythonSource, target: UsageStore, onProgress: ImportProgress = () => undefined): Promise<ImportSummary> {
  const tables = await source.tables();
  if (!tables.has("accounting_entries") || !tables.has("usage_limits")) {
    throw new ValidationError("source", `${source.description} is not an llm-accounting database (no accounting_entries and usage_limits tables)`);
  }
  if (tables.has("_prisma_migrations")) {
    throw new ValidationError("source", `${source.description} is not an llm-accounting database of the Python original (it was written by this tool)`);
  }
  // Without resumable imports (capability `imports`) the store is refused before anything is copied.
  const imports = importsOf(target);
  await target.open();
  const summary: ImportSummary = {};
  summary.accounting_entries = await appendTable(source, imports, "accounting_entries", (rows) => ({ kind: "usage", rows: rows.map(usageFromPython) }), onProgress);
  if (tables.has("audit_log_entries")) {
    summary.audit_log_entries = await appendTable(source, imports, "audit_log_entries", (rows) => ({ kind: "audit", rows: rows.map(auditFromPython) }), onProgress);
  }
  if (tables.has("quota_rejections")) {
    summary.quota_rejections = await appendTable(source, imports, "quota_rejections", (rows) => ({ kind: "rejections", rows: rows.map(rejectionFromPython) }), onProgress);
  }
  summary.usage_limits = await copyLimits(source, target, onProgress);
  if (tables.has("projects")) summary.projects = await copyNamed(source, "projects", onProgress, (row) => target.createProject(String(row.name)));
  if (tables.has("users")) summary.users = await copyNamed(source, "users", onProgress, (row) => target.createUser(userFromPython(row), new Date()));
  return summary;
}

async function appendTable(source: PythonSource, target: ImportStore, table: string, convert: (rows: SourceRow[]) => ImportBatch, onProgress: ImportProgress): Promise<number> {
  const key = `import:${source.fingerprint}:${table}`;
  let cursor = await target.importCursor(key);
  const total = await source.count(table, cursor);
  let done = 0;
  onProgress(table, 0, total);
  for (;;) {
    const rows = await source.rows(table, cursor, BATCH);
    if (rows.length === 0) break;
    const last = Number(rows[rows.length - 1]!.id);
    await target.importRows(convert(rows), { key, value: last });
    cursor = last;
    done += rows.length;
    onProgress(table, done, total);
  }
  return done;
}

const sameLimit = (a: Omit<UsageLimit, "id" | "createdAt" | "updatedAt">, b: UsageLimit) =>
  a.scope === b.scope && a.limitType === b.limitType && a.maxValue === b.maxValue && a.intervalUnit === b.intervalUnit &&
  a.intervalValue === b.intervalValue && a.model === b.model && a.username === b.username && a.callerName === b.callerName && a.projectName === b.projectName;

async function copyLimits(source: PythonSource, target: UsageStore, onProgress: ImportProgress): Promise<number> {
  const rows = await source.rows("usage_limits", 0, 1_000_000);
  const existing = await target.listLimits();
  let copied = 0;
  onProgress("usage_limits", 0, rows.length);
  for (const [i, row] of rows.entries()) {
    const limit = limitFromPython(row);
    if (limit && !existing.some((e) => sameLimit(limit, e))) {
      try {
        existing.push(await target.insertLimit(limit));
        copied++;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    onProgress("usage_limits", i + 1, rows.length);
  }
  return copied;
}

async function copyNamed(source: PythonSource, table: string, onProgress: ImportProgress, create: (row: SourceRow) => Promise<unknown>): Promise<number> {
  const rows = await source.rows(table, 0, 1_000_000);
  let copied = 0;
  onProgress(table, 0, rows.length);
  for (const [i, row] of rows.entries()) {
    try {
      await create(row);
      copied++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    onProgress(table, i + 1, rows.length);
  }
  return copied;
}

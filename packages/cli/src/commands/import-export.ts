import { readFileSync } from "node:fs";
import { normalizeUsage, USAGE_INPUT_FIELDS, ValidationError, type Accounting, type CostSource, type NewUsageRecord } from "@llm-accounting/core";

const BATCH = 1000;
const COST_SOURCES: readonly CostSource[] = ["caller", "price", "unpriced", "provider"];

/**
 * The records of a file `tail --format ndjson` (one per line) or `tail --format json` (an array)
 * wrote, as they were stored: timestamp, names, tokens, exact cost and its source, tags. Nothing of
 * the importing process (its --user-name, --project-name, tags) is added. Errors name the line.
 */
export function readExportedRecords(file: string): NewUsageRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ValidationError("fromExport", `cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trimmed = text.trimStart();
  const items: [number, unknown][] = [];
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new ValidationError("fromExport", `is not JSON: ${(error as Error).message}`);
    }
    (parsed as unknown[]).forEach((item, i) => items.push([i + 1, item]));
  } else {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      try {
        items.push([i + 1, JSON.parse(line)]);
      } catch {
        throw new ValidationError("fromExport", `line ${i + 1} is not a JSON record (write the file with tail --format ndjson or json)`);
      }
    });
  }
  return items.map(([n, item]) => exportedRecord(item, n));
}

/** One exported record, checked as `track` checks a call; its cost kept to the nano-dollar. */
function exportedRecord(item: unknown, n: number): NewUsageRecord {
  const where = `record ${n}`;
  if (item === null || typeof item !== "object" || Array.isArray(item)) throw new ValidationError("fromExport", `${where} is not an object`);
  const r = item as Record<string, unknown>;
  if (typeof r.timestamp !== "string" || Number.isNaN(Date.parse(r.timestamp))) throw new ValidationError("fromExport", `${where}: timestamp must be an ISO-8601 instant`);
  if (typeof r.costNanos !== "string" || !/^\d{1,30}$/.test(r.costNanos)) throw new ValidationError("fromExport", `${where}: costNanos must be a decimal string of nano-dollars`);
  const costSource = r.costSource ?? "caller";
  if (!COST_SOURCES.includes(costSource as CostSource)) throw new ValidationError("fromExport", `${where}: costSource must be one of ${COST_SOURCES.join(", ")}`);
  try {
    const record = normalizeUsage(
      {
        model: r.model as string,
        ...pick(r, EXPORTED_INPUT_FIELDS),
        // The record's flag is the input's `estimated` (absent from exports made before it).
        ...(r.usageEstimated !== undefined && { estimated: r.usageEstimated as boolean }),
        timestamp: r.timestamp,
      },
      {},
      new Date(),
    );
    return { ...record, costNanos: BigInt(r.costNanos), costSource: costSource as CostSource };
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError("fromExport", `${where}: ${error.message}`);
    throw error;
  }
}

// What normalizeUsage checks of an exported record; the model and timestamp are passed as checked above.
const EXPORTED_INPUT_FIELDS = [...USAGE_INPUT_FIELDS.filter((f) => f !== "model" && f !== "timestamp"), "tags"];
const pick = (r: Record<string, unknown>, keys: readonly string[]): Record<string, never> => Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])) as Record<string, never>;

/** Stores the records in batches (each one transaction); returns how many. */
export async function importExportedRecords(accounting: Accounting, records: readonly NewUsageRecord[]): Promise<number> {
  await accounting.open();
  for (let i = 0; i < records.length; i += BATCH) await accounting.store.insertUsageBatch(records.slice(i, i + BATCH));
  return records.length;
}

import { scaledDecimal } from "@llm-accounting/core";
import { ProviderReportError } from "./provider-report.js";

/** A JSON value with the path it was read at (`data[2].results[0].amount`), for errors that name the field. */
export interface At {
  readonly value: unknown;
  readonly path: string;
}

/** A JSON object with its path. */
export type ObjectAt = At & { readonly value: Record<string, unknown> };

/** Reads a provider report's JSON, naming `source` (`--openai-costs "costs.json"`) and the field in every error. */
export class ReportJson {
  constructor(readonly source: string) {}

  /** An error naming the source and the field. */
  fail(path: string, reason: string): ProviderReportError {
    return new ProviderReportError(`${this.source} ${path ? `${path} ` : ""}${reason}`);
  }

  /**
   * The time buckets of one page (`{ "data": [...] }`, as the API returns it) or of several (an
   * array of pages, as saved one after another); a bare array of buckets is taken as well.
   */
  buckets(document: unknown): ObjectAt[] {
    const pages: At[] = Array.isArray(document) && document.every((p) => isObject(p) && Array.isArray(p.data)) ? document.map((value, i) => ({ value, path: `[${i}]` })) : [{ value: document, path: "" }];
    const buckets: ObjectAt[] = [];
    for (const page of pages) {
      const data = Array.isArray(page.value) ? page.value : isObject(page.value) ? page.value.data : undefined;
      const base = Array.isArray(page.value) ? page.path : `${page.path ? `${page.path}.` : ""}data`;
      if (!Array.isArray(data)) throw this.fail(page.path, 'must be a page of the admin API ({ "data": [buckets], "has_more", "next_page" }) or an array of pages');
      data.forEach((value, i) => buckets.push(this.object({ value, path: `${base}[${i}]` })));
    }
    return buckets;
  }

  /** The value as an object. */
  object(at: At): ObjectAt {
    if (!isObject(at.value)) throw this.fail(at.path, `must be an object (got ${describe(at.value)})`);
    return at as ObjectAt;
  }

  /** A field of an object. */
  field(at: ObjectAt, key: string): At {
    return { value: at.value[key], path: `${at.path}.${key}` };
  }

  /** A field that is an array, each element with its path. */
  array(at: ObjectAt, key: string): At[] {
    const field = this.field(at, key);
    if (!Array.isArray(field.value)) throw this.fail(field.path, `must be an array (got ${describe(field.value)})`);
    return field.value.map((value, i) => ({ value, path: `${field.path}[${i}]` }));
  }

  /** A text field, or null (absent counts as null). */
  text(at: ObjectAt, key: string): string | null {
    const field = this.field(at, key);
    if (field.value === undefined || field.value === null) return null;
    if (typeof field.value !== "string") throw this.fail(field.path, `must be text or null (got ${describe(field.value)})`);
    return field.value;
  }

  /** A count (a non-negative integer); absent or null counts as 0. */
  count(at: ObjectAt, key: string): bigint {
    const field = this.field(at, key);
    if (field.value === undefined || field.value === null) return 0n;
    if (typeof field.value !== "number" || !Number.isSafeInteger(field.value) || field.value < 0) throw this.fail(field.path, `must be a whole number of at least 0 (got ${describe(field.value)})`);
    return BigInt(field.value);
  }

  /** A decimal amount (a JSON number or decimal text) as an integer of 10^-decimals units, exactly. */
  decimal(field: At, decimals: number): bigint {
    const text = typeof field.value === "number" && Number.isFinite(field.value) ? String(field.value) : typeof field.value === "string" ? field.value : undefined;
    const units = text === undefined ? undefined : scaledDecimal(text, decimals);
    if (units === undefined) throw this.fail(field.path, `must be a decimal amount (got ${describe(field.value)})`);
    return units;
  }

  /**
   * Every result of every bucket of `document` (see `buckets`) with the UTC day of its bucket
   * (see `bucketDay`), and the days the buckets cover (a day without results still counts).
   */
  dailyResults(document: unknown, startKey: string, endKey: string, toInstant: (value: unknown) => number | undefined): { days: Set<string>; results: { day: string; result: ObjectAt }[] } {
    const days = new Set<string>();
    const results: { day: string; result: ObjectAt }[] = [];
    for (const bucket of this.buckets(document)) {
      const day = this.bucketDay(bucket, startKey, endKey, toInstant);
      days.add(day);
      for (const at of this.array(bucket, "results")) results.push({ day, result: this.object(at) });
    }
    return { days, results };
  }

  /** The UTC day a bucket covers, from its start and end (`toInstant` reads the API's time format); a bucket longer than a day is refused. */
  bucketDay(bucket: ObjectAt, startKey: string, endKey: string, toInstant: (value: unknown) => number | undefined): string {
    const start = toInstant(bucket.value[startKey]);
    if (start === undefined) throw this.fail(`${bucket.path}.${startKey}`, `must be the bucket's start time (got ${describe(bucket.value[startKey])})`);
    const end = toInstant(bucket.value[endKey]);
    // Grouped per UTC day: a bucket of a day or less falls in one (the APIs snap buckets to UTC days, hours, minutes).
    if (end !== undefined && (end - start > 86_400_000 || new Date(start).toISOString().slice(0, 10) !== new Date(end - 1).toISOString().slice(0, 10))) {
      throw this.fail(bucket.path, "must be a bucket of one UTC day or less (fetch the report with bucket_width=1d)");
    }
    return new Date(start).toISOString().slice(0, 10);
  }
}

/** Whether a value is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

// What a wrong value was, briefly: its JSON text cut short, or its kind.
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

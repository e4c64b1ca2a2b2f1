import { AccountingError } from "@llm-accounting/core";

/** What a reconciliation compares: cost (nano-dollars), requests and tokens by kind. */
export type Measure = "cost" | "requests" | "inputTokens" | "cacheReadTokens" | "outputTokens";

/** Every measure, in the order reports list them. */
export const MEASURES: readonly Measure[] = ["cost", "requests", "inputTokens", "cacheReadTokens", "outputTokens"];

/** The providers whose admin APIs we read. */
export type Provider = "openai" | "anthropic";

/**
 * One provider figure set for a UTC day, a model and a scope (project, workspace or API key id
 * when the report was grouped by one). Values are exact integers: nano-dollars for cost, counts
 * otherwise; a measure the report does not give is absent.
 */
export interface ProviderRow {
  /** `YYYY-MM-DD`, UTC (the providers' buckets are UTC days). */
  readonly day: string;
  /** The model as the provider names it (for OpenAI costs, the model part of the line item). */
  readonly model: string;
  /** The project, workspace or API key id; null when the report was not grouped by it (or had none). */
  readonly scope: string | null;
  /** A readable name the provider gives the scope (OpenAI's `project_name`), when it does. */
  readonly scopeName?: string;
  readonly values: Partial<Record<Measure, bigint>>;
}

/** A provider's figures read from its admin API's JSON: one or more reports of one provider. */
export interface ProviderReport {
  readonly provider: Provider;
  /** Where the figures came from (files or URLs), for the output. */
  readonly sources: readonly string[];
  /** The measures the reports give. */
  readonly measures: ReadonlySet<Measure>;
  /** Every UTC day a bucket covered, empty buckets included: the days the provider vouches for. */
  readonly days: ReadonlySet<string>;
  readonly rows: readonly ProviderRow[];
}

/** A provider report's JSON is not what its admin API returns; the message names the source and the field. */
export class ProviderReportError extends AccountingError {
  constructor(message: string) {
    super("PROVIDER_REPORT", message);
  }
}

/** Several reports of one provider as one: sources, measures, days and rows together. */
export function mergeReports(reports: readonly ProviderReport[]): ProviderReport {
  const provider = reports[0]!.provider;
  return {
    provider,
    sources: reports.flatMap((r) => r.sources),
    measures: new Set(reports.flatMap((r) => [...r.measures])),
    days: new Set(reports.flatMap((r) => [...r.days])),
    rows: reports.flatMap((r) => r.rows),
  };
}

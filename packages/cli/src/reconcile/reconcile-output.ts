import { convertNanos, decimalText, formatMoney, nanosToUsd } from "@llm-accounting/core";
import type { DisplayCurrency } from "../currency/currency-options.js";
import { unitsText } from "../currency/record-money.js";
import { money, tokens } from "../format/numbers.js";
import { renderTable } from "../format/table.js";
import { shareOf, type ComparedFigure, type ComparedTotal, type Reconciliation } from "./compare.js";
import type { Measure, Provider } from "./provider-report.js";
import type { ReconcileScope } from "./provider-requests.js";

/** What the output says about the run besides the figures. */
export interface ReconcileHeader {
  readonly provider: Provider;
  readonly since: string;
  readonly until: string;
  readonly by: ReconcileScope;
  readonly sources: readonly string[];
  /** In millionths of a percent. */
  readonly tolerance: bigint;
  readonly minDifference: bigint;
}

const MEASURE_LABELS: Readonly<Record<Measure, string>> = { cost: "cost", requests: "requests", inputTokens: "input tokens", cacheReadTokens: "cache reads", outputTokens: "output tokens" };
const PROVIDER_NAMES: Readonly<Record<Provider, string>> = { openai: "OpenAI", anthropic: "Anthropic" };

/** `2`, `0.5`: a tolerance in millionths of a percent as the percent it is. */
export const percentText = (tolerance: bigint): string => decimalText(tolerance, 6);

/** The JSON field the scope goes in: `project` or `apiKey`. */
const scopeField = (by: ReconcileScope): "project" | "apiKey" | undefined => (by === "project" ? "project" : by === "api-key" ? "apiKey" : undefined);

/**
 * One figure's JSON form: tokens and requests as numbers; cost in USD (a number) beside the exact
 * nano-dollars (text), and with a display currency its converted amounts at the day's rate.
 */
export function figureJson(figure: ComparedFigure, by: ReconcileScope, display?: DisplayCurrency): Record<string, unknown> {
  const field = scopeField(by);
  return { day: figure.day, model: figure.model, ...(field && { [field]: figure.scope }), ...valuesJson(figure, display && ((n: bigint) => convertNanos(n, display.rates.rateOn(display.code, figure.day)))) };
}

function valuesJson(figure: ComparedTotal, convert?: (nanos: bigint) => bigint, converted?: Units): Record<string, unknown> {
  const share = shareOf(figure);
  const common = { share, beyondTolerance: figure.beyondTolerance };
  if (figure.measure !== "cost") return { measure: figure.measure, ours: Number(figure.ours), theirs: Number(figure.theirs), difference: Number(figure.difference), ...common };
  const units = converted ?? (convert && { ours: convert(figure.ours), theirs: convert(figure.theirs), difference: convert(figure.ours) - convert(figure.theirs) });
  return {
    measure: "cost",
    ours: nanosToUsd(figure.ours),
    theirs: nanosToUsd(figure.theirs),
    difference: nanosToUsd(figure.difference),
    oursNanos: figure.ours.toString(),
    theirsNanos: figure.theirs.toString(),
    differenceNanos: figure.difference.toString(),
    ...common,
    ...(units && { converted: { ours: unitsText(units.ours), theirs: unitsText(units.theirs), difference: unitsText(units.difference) } }),
  };
}

/** Converted amounts: ours, theirs and the difference, in 1e-9 units of the display currency. */
interface Units {
  readonly ours: bigint;
  readonly theirs: bigint;
  readonly difference: bigint;
}

/** Converted cost totals: the sum of the figures' converted amounts, so the table adds up. */
function convertedTotals(result: Reconciliation, display: DisplayCurrency): Units {
  let ours = 0n;
  let theirs = 0n;
  for (const f of result.figures) {
    if (f.measure !== "cost") continue;
    const rate = display.rates.rateOn(display.code, f.day);
    ours += convertNanos(f.ours, rate);
    theirs += convertNanos(f.theirs, rate);
  }
  return { ours, theirs, difference: ours - theirs };
}

/** The whole result as `--format json` prints it. */
export function reconciliationJson(header: ReconcileHeader, result: Reconciliation, display?: DisplayCurrency): Record<string, unknown> {
  return {
    provider: header.provider,
    sources: header.sources,
    since: header.since,
    until: header.until,
    by: header.by,
    tolerancePercent: Number(percentText(header.tolerance)),
    minDifference: nanosToUsd(header.minDifference),
    ...(display && { currency: display.code }),
    figures: result.figures.map((f) => figureJson(f, header.by, display)),
    totals: result.totals.map((t) => valuesJson(t, undefined, display && t.measure === "cost" ? convertedTotals(result, display) : undefined)),
    beyondTolerance: result.beyondTolerance,
  };
}

/** The table: one line per figure, then the totals, then a verdict. */
export function reconciliationText(header: ReconcileHeader, result: Reconciliation, display?: DisplayCurrency, maxWidth?: number): string[] {
  const scopeTitle = header.by === "project" ? (header.provider === "anthropic" ? "Workspace" : "Project") : header.by === "api-key" ? "API key" : undefined;
  const tolerance = `${percentText(header.tolerance)}%`;
  const lines = ["", `=== Reconciliation with ${PROVIDER_NAMES[header.provider]} (${header.since} to ${header.until} UTC, tolerance ${tolerance})`, `Provider figures: ${header.sources.join(", ")}`, ""];
  if (result.figures.length === 0) return [...lines, "Nothing to compare: neither side has usage in the range"];
  const right = "right" as const;
  // A figure's cost in the display currency, at its day's rate (a total: the sum over its figures).
  const convertedOf = (f: ComparedTotal, day?: string): Units | undefined => {
    if (!display || f.measure !== "cost") return undefined;
    if (day === undefined) return convertedTotals(result, display);
    const rate = display.rates.rateOn(display.code, day);
    const ours = convertNanos(f.ours, rate);
    const theirs = convertNanos(f.theirs, rate);
    return { ours, theirs, difference: ours - theirs };
  };
  // Signs in front of the currency: `-$0.0250`, `+1,200`.
  const amount = (measure: Measure, value: bigint, converted: bigint | undefined): string => {
    const abs = value < 0n ? -value : value;
    const text = converted !== undefined ? formatMoney(converted < 0n ? -converted : converted, display!.code) : measure === "cost" ? money(abs) : tokens(Number(abs));
    return value < 0n ? `-${text}` : text;
  };
  const cells = (f: ComparedTotal, day?: string) => {
    const share = shareOf(f);
    const units = convertedOf(f, day);
    return [
      MEASURE_LABELS[f.measure],
      amount(f.measure, f.ours, units?.ours),
      amount(f.measure, f.theirs, units?.theirs),
      `${f.difference > 0n ? "+" : ""}${amount(f.measure, f.difference, units?.difference)}`,
      share === null ? "ours only" : `${share > 0 ? "+" : ""}${(share * 100).toFixed(1)}%`,
      f.beyondTolerance ? "OVER" : "ok",
    ];
  };
  const valueColumns = [{ header: "Measure" }, { header: display ? `Ours (${display.code})` : "Ours", align: right }, { header: PROVIDER_NAMES[header.provider], align: right }, { header: "Difference", align: right }, { header: "Share", align: right }, { header: "Check" }];
  lines.push(
    ...renderTable(
      [{ header: "Day" }, { header: "Model" }, ...(scopeTitle ? [{ header: scopeTitle }] : []), ...valueColumns],
      result.figures.map((f) => [f.day, f.model, ...(scopeTitle ? [f.scope ?? "-"] : []), ...cells(f, f.day)]),
      { title: "Per day and model", maxWidth },
    ),
    "",
    ...renderTable(valueColumns, result.totals.map((t) => cells(t)), { title: "Totals", maxWidth }),
    "",
    result.beyondTolerance === 0
      ? `All ${result.figures.length} figures are within ${tolerance} of ${PROVIDER_NAMES[header.provider]}'s.`
      : `${result.beyondTolerance} of ${result.figures.length} figures differ from ${PROVIDER_NAMES[header.provider]}'s by more than ${tolerance} (exit code 4).`,
  );
  return lines;
}

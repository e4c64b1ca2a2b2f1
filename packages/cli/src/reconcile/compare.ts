import { MEASURES, type Measure, type Provider, type ProviderReport } from "./provider-report.js";
import type { LedgerRow } from "./ledger-rows.js";
import { comparableModel, looksLikeProviderModel } from "./model-keys.js";

/** How figures are matched and when a difference counts. */
export interface CompareOptions {
  readonly provider: Provider;
  /** Match model names as written (else without a trailing snapshot date). */
  readonly exactModels: boolean;
  /** The largest share of the provider's figure a difference may be, in millionths of a percent (2% = 2_000_000n). */
  readonly tolerance: bigint;
  /** Cost differences up to this many nano-dollars never count (provider rounding on tiny amounts). */
  readonly minDifference: bigint;
  /** Provider scope ids (or names) to the ledger's names (`--map proj_abc=support`). */
  readonly scopeMap: ReadonlyMap<string, string>;
}

/** One measure of one day, model and scope on both sides. */
export interface ComparedFigure {
  readonly day: string;
  readonly model: string;
  readonly scope: string | null;
  readonly measure: Measure;
  readonly ours: bigint;
  readonly theirs: bigint;
  /** Ours minus theirs. */
  readonly difference: bigint;
  readonly beyondTolerance: boolean;
}

/** A measure summed over every compared figure. */
export type ComparedTotal = Omit<ComparedFigure, "day" | "model" | "scope">;

/** The outcome: each figure, the totals per measure, and how many figures are beyond the tolerance. */
export interface Reconciliation {
  readonly figures: readonly ComparedFigure[];
  readonly totals: readonly ComparedTotal[];
  readonly beyondTolerance: number;
}

/**
 * Joins the provider's figures with the ledger's by UTC day, model and scope and compares every
 * measure the provider gives. Ledger models are kept when they look like the provider's (`gpt-`,
 * `claude-`) or when the provider names them on some day: another provider's calls in the same
 * ledger are not "ours only". Figures zero on both sides are left out.
 */
export function reconcile(report: ProviderReport, ledger: readonly LedgerRow[], options: CompareOptions): Reconciliation {
  const measures = MEASURES.filter((m) => report.measures.has(m));
  const sides = new Map<string, { day: string; model: string; scope: string | null; ours: Map<Measure, bigint>; theirs: Map<Measure, bigint> }>();
  const entry = (day: string, model: string, scope: string | null) => {
    const key = JSON.stringify([day, model, scope]);
    let found = sides.get(key);
    if (!found) sides.set(key, (found = { day, model, scope, ours: new Map(), theirs: new Map() }));
    return found;
  };
  const add = (to: Map<Measure, bigint>, values: Partial<Record<Measure, bigint>>) => {
    for (const m of measures) if (values[m] !== undefined) to.set(m, (to.get(m) ?? 0n) + values[m]!);
  };
  const providerModels = new Set<string>();
  for (const row of report.rows) {
    const model = comparableModel(row.model, options.exactModels);
    providerModels.add(model);
    const scope = row.scope === null ? null : (options.scopeMap.get(row.scope) ?? (row.scopeName !== undefined ? options.scopeMap.get(row.scopeName) : undefined) ?? row.scopeName ?? row.scope);
    add(entry(row.day, model, scope).theirs, row.values);
  }
  for (const row of ledger) {
    const model = comparableModel(row.model, options.exactModels);
    if (!providerModels.has(model) && !looksLikeProviderModel(options.provider, row.model)) continue;
    add(entry(row.day, model, row.scope).ours, row.values);
  }
  const figures: ComparedFigure[] = [];
  const order = [...sides.values()].sort((a, b) => compareText(a.day, b.day) || compareText(a.model, b.model) || compareText(a.scope ?? "\uffff", b.scope ?? "\uffff"));
  for (const side of order) {
    for (const measure of measures) {
      const ours = side.ours.get(measure) ?? 0n;
      const theirs = side.theirs.get(measure) ?? 0n;
      if (ours === 0n && theirs === 0n) continue;
      figures.push({ day: side.day, model: side.model, scope: side.scope, ...compared(measure, ours, theirs, options) });
    }
  }
  const totals = measures.map((measure) => {
    const of = figures.filter((f) => f.measure === measure);
    return compared(measure, of.reduce((s, f) => s + f.ours, 0n), of.reduce((s, f) => s + f.theirs, 0n), options);
  });
  return { figures, totals, beyondTolerance: figures.filter((f) => f.beyondTolerance).length };
}

function compared(measure: Measure, ours: bigint, theirs: bigint, options: CompareOptions): ComparedTotal {
  const difference = ours - theirs;
  const abs = difference < 0n ? -difference : difference;
  // Exact: |ours - theirs| / theirs > tolerance, with the tolerance in millionths of a percent.
  const beyondShare = abs * 100_000_000n > options.tolerance * (theirs < 0n ? -theirs : theirs);
  const negligible = measure === "cost" && abs <= options.minDifference;
  return { measure, ours, theirs, difference, beyondTolerance: difference !== 0n && beyondShare && !negligible };
}

/** The difference as a share of the provider's figure (0.031 is 3.1%); null when the provider's is 0. */
export function shareOf(figure: Pick<ComparedFigure, "difference" | "theirs">): number | null {
  if (figure.theirs === 0n) return null;
  // Millionths, exact, then a float that prints well.
  return Number((figure.difference * 1_000_000n) / figure.theirs) / 1_000_000;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

import type { Migration } from "./migration.js";

/** How an existing database relates to this version's migrations. */
export type SchemaState =
  | { readonly kind: "current" }
  | { readonly kind: "foreign"; readonly reason: string }
  | { readonly kind: "outdated"; readonly missing: readonly string[] };

/** What a read-only check can see of a database without changing it. */
export interface SchemaFacts {
  /** Names of the finished migrations in Prisma's bookkeeping table, or null when it has none. */
  readonly applied: ReadonlySet<string> | null;
  /** Tables the database holds (its own, not the engine's catalog). */
  readonly tableCount: number;
}

/**
 * Ours and up to date, ours but written by an older version, or somebody else's database. A
 * database is ours when Prisma's bookkeeping lists our first migration: another Prisma
 * application has the bookkeeping table too, with other names in it.
 */
export function schemaState(facts: SchemaFacts, migrations: readonly Migration[]): SchemaState {
  if (facts.applied === null) {
    const n = facts.tableCount;
    return { kind: "foreign", reason: n === 0 ? "it holds no tables" : `it holds ${n} other table${n === 1 ? "" : "s"} and none of ours` };
  }
  const first = migrations[0];
  if (first && !facts.applied.has(first.name)) return { kind: "foreign", reason: "its migrations are another application's" };
  const missing = migrations.filter((m) => !facts.applied!.has(m.name)).map((m) => m.name);
  return missing.length === 0 ? { kind: "current" } : { kind: "outdated", missing };
}

/** The one-line refusal for a read-only opening of a database that is not ready, or null when it is. */
export function schemaRefusal(state: SchemaState, where: string): { readonly foreign: boolean; readonly message: string } | null {
  if (state.kind === "foreign") return { foreign: true, message: `${where} is not an llm-accounting database (${state.reason}); nothing was read or written` };
  if (state.kind === "outdated") {
    const n = state.missing.length;
    return { foreign: false, message: `${where} was written by an older llm-accounting (${n} migration${n === 1 ? "" : "s"} to apply): run "llm-accounting migrate" once, then retry` };
  }
  return null;
}

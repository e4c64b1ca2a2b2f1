import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Accounting, type UsageRecord, type UsageStore } from "@llm-accounting/core";
import { createPricer } from "@llm-accounting/pricing";
import { freshSqlStores } from "@llm-accounting/storage-prisma/testing";

/** Prices with whole nano-dollars per token, so expected costs are exact: Sonnet 4.5 and GPT-5.3's list prices. */
export const PRICES = [
  { model: "claude-sonnet-4-5-20250929", inputPerMTok: 3, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15 },
  { model: "claude-haiku-4-5-20251001", inputPerMTok: 1, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25, outputPerMTok: 5 },
  { model: "gpt-5.3-codex", inputPerMTok: 1.75, cacheReadPerMTok: 0.175, outputPerMTok: 14 },
];

/** An accounting over `store` priced by PRICES only (no catalog: figures must not move with catalog updates). */
export function accountingOn(store: UsageStore): Accounting {
  return new Accounting({ store, pricer: createPricer({ overrides: PRICES, catalog: false }), userName: "mira" });
}

/** A temporary log directory; `write` creates a file (and its directories) under it. */
export function logDir(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return {
    root,
    path: (...parts: string[]) => join(root, ...parts),
    write(relative: string, text: string) {
      const path = join(root, relative);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Every stored record, oldest first. */
export async function allRecords(store: UsageStore): Promise<UsageRecord[]> {
  return store.usageInRange({ start: new Date(0), end: new Date("2100-01-01T00:00:00Z") }, 0, 10_000);
}

/** The agent_calls rows, through the store's read-only query. */
export async function agentCallRows(store: UsageStore): Promise<Record<string, unknown>[]> {
  const result = await store.readOnlyQuery("SELECT key, entry_id, tokens, cache_write_1h_tokens, subagent FROM agent_calls ORDER BY key");
  return result.rows.map((row) => ({ ...row }));
}

export { freshSqlStores };

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-pricing-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const drop of drops) await drop(); // DROP DATABASE can take seconds each on a busy server
}, 180_000);

for (const [name, fresh] of freshStores(dir, drops)) {
  describe(`prices and reprice on ${name}`, () => {
    it("prices 1-hour cache writes at --cache-write-1h, else by Anthropic's rule, and records the split", async () => {
      const db = await fresh();
      expect((await cli([...db, "prices", "set", "--model", "claude-house", "--provider", "anthropic", "--input", "3", "--cache-write", "3.75", "--output", "15", "--effective-from", "2025-01-01"])).code).toBe(0);
      const track = async (...args: string[]) => JSON.parse((await cli([...db, "track", "--model", "claude-house", "--provider", "anthropic", "--prompt-tokens", "4000", "--cache-write-tokens", "4000", "--cache-write-1h-tokens", "1000", "--format", "json", ...args])).stdout) as { costNanos: string; cacheWrite1hTokens: number };
      // 3,000 5-minute writes x 3.75 + 1,000 1-hour writes x (2 x 3) = 11,250 + 6,000 = 17,250 USD/MTok-tokens -> 17,250,000 nanos
      expect(await track("--timestamp", "2025-02-01 00:00:00")).toMatchObject({ costNanos: "17250000", cacheWrite1hTokens: 1000 });
      const set = await cli([...db, "prices", "set", "--model", "claude-house", "--provider", "anthropic", "--input", "3", "--cache-write", "3.75", "--cache-write-1h", "5", "--output", "15", "--effective-from", "2025-03-01", "--format", "json"]);
      expect(JSON.parse(set.stdout)).toMatchObject({ cacheWrite1hPerMTok: 5, cacheWrite1hNanosPerMTok: "5000000000" });
      // 3,000 x 3.75 + 1,000 x 5 = 16,250 -> 16,250,000 nanos
      expect(await track("--timestamp", "2025-04-01 00:00:00")).toMatchObject({ costNanos: "16250000" });
      expect((await cli([...db, "prices", "list"])).stdout).toMatch(/claude-house\s+│\s+anthropic\s+│\s+-\s+│\s+2025-03-01 00:00:00\s+│\s+\$3\s+│\s+-\s+│\s+\$3\.75\s+│\s+\$5\s+│\s+\$15/);
    });

    it("stores a price, prices a call tracked without cost, and reprices a period (dry run, then --apply)", async () => {
      const db = await fresh();
      const track = (...args: string[]) => cli([...db, "track", "--model", "house-model", "--format", "json", ...args]);
      const before = JSON.parse((await track("--prompt-tokens", "2000000", "--timestamp", "2025-03-01 10:00:00")).stdout) as { costNanos: string; costSource: string };
      expect([before.costNanos, before.costSource]).toEqual(["0", "unpriced"]);

      const set = await cli([...db, "prices", "set", "--model", "house-model", "--input", "1.5", "--cache-read", "0.15", "--output", "6", "--note", "contract"]);
      expect(set.code).toBe(0);
      expect(set.stdout).toMatch(/^Price \d+ set for house-model from 1970-01-01 00:00:00 UTC\.\n$/);
      const listed = await cli([...db, "prices", "list"]);
      expect(listed.stdout).toMatch(/house-model\s+│\s+-\s+│\s+-\s+│\s+1970-01-01 00:00:00\s+│\s+\$1\.5\s+│\s+\$0\.15\s+│\s+-\s+│\s+-\s+│\s+\$6\s+│\s+contract/);

      const priced = JSON.parse((await track("--prompt-tokens", "1000000", "--cached-tokens", "1000000", "--completion-tokens", "10")).stdout) as { costNanos: string; costSource: string };
      expect([priced.costNanos, priced.costSource]).toEqual(["150060000", "price"]);
      expect(priced).toMatchObject({ cost: 0.15006 }); // USD beside the exact nanos, as tail prints it

      // --end 2025-03-01 covers that whole day (the call was at 10:00).
      const dry = await cli([...db, "reprice", "--start", "2025-03-01", "--end", "2025-03-01"]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain("1 record examined, 1 would change: $0.0000 -> $3.0000 (+$3.0000)");
      expect(dry.stdout).toContain("Dry run: nothing was changed.");
      const stats = async () => JSON.parse((await cli([...db, "stats", "--start", "2025-03-01", "--end", "2025-03-02", "--format", "json"])).stdout) as { totals: { sumCost: number } };
      expect((await stats()).totals.sumCost).toBe(0);

      const applied = await cli([...db, "reprice", "--start", "2025-03-01", "--end", "2025-03-02", "--apply", "--format", "json"]);
      expect(JSON.parse(applied.stdout)).toMatchObject({ applied: true, examined: 1, oldTotalNanos: "0", newTotalNanos: "3000000000", unpriced: {} });
      expect((await stats()).totals.sumCost).toBe(3);
    });

    it("keeps a cost the provider reported (--cost-source provider) through reprice unless --include-provider-costs", async () => {
      const db = await fresh();
      await cli([...db, "prices", "set", "--model", "routed", "--input", "1", "--output", "1"]);
      const tracked = JSON.parse((await cli([...db, "track", "--model", "routed", "--prompt-tokens", "1000000", "--cost", "0.42", "--cost-source", "provider", "--timestamp", "2025-03-01 10:00:00", "--format", "json"])).stdout) as { costNanos: string; costSource: string };
      expect([tracked.costNanos, tracked.costSource]).toEqual(["420000000", "provider"]);
      const kept = JSON.parse((await cli([...db, "reprice", "--start", "2025-03-01", "--end", "2025-03-01", "--include-caller-costs", "--format", "json"])).stdout) as { examined: number };
      expect(kept.examined).toBe(0);
      // 1,000,000 input tokens x 1 USD per MTok = 1 USD
      const asked = await cli([...db, "reprice", "--start", "2025-03-01", "--end", "2025-03-01", "--include-provider-costs", "--apply", "--format", "json"]);
      expect(JSON.parse(asked.stdout)).toMatchObject({ applied: true, examined: 1, oldTotalNanos: "420000000", newTotalNanos: "1000000000" });
      const bad = await cli([...db, "track", "--model", "routed", "--cost", "1", "--cost-source", "invoice"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(bad.stderr).toMatch(/cost-source/);
      const without = await cli([...db, "track", "--model", "routed", "--cost-source", "provider"]);
      expect([without.code, without.stderr]).toEqual([1, 'Error: --cost-source "provider" needs a cost (give the provider\'s figure as cost)\n']);
    });

    it("records --service-tier and prices it: OpenAI batch at half the standard price", async () => {
      const db = await fresh();
      await cli([...db, "prices", "set", "--model", "house-gpt", "--provider", "openai", "--input", "2", "--output", "8"]);
      const track = async (...args: string[]) => JSON.parse((await cli([...db, "track", "--model", "house-gpt", "--provider", "openai", "--prompt-tokens", "1000", "--completion-tokens", "500", "--format", "json", ...args])).stdout) as { costNanos: string; serviceTier: string | null };
      // 1,000 x 2 + 500 x 8 = 6,000 USD/MTok-tokens = 6,000,000 nanos; batch: half, 3,000,000
      expect(await track()).toMatchObject({ costNanos: "6000000", serviceTier: null });
      expect(await track("--service-tier", "batch")).toMatchObject({ costNanos: "3000000", serviceTier: "batch" });
      expect(await track("--service-tier", "priority")).toMatchObject({ costNanos: "6000000", serviceTier: "priority" });
      const bad = await cli([...db, "track", "--model", "house-gpt", "--service-tier", "Batch"]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toBe('Error: --service-tier must be a lower-case word of up to 32 letters, digits, _ or - (got "Batch")\n');
      const check = await cli([...db, "check", "--model", "house-gpt", "--provider", "openai", "--input-tokens", "1000", "--completion-tokens", "500", "--service-tier", "batch", "--format", "json"]);
      expect(check.code).toBe(0);
      const byTier = JSON.parse((await cli([...db, "stats", "--since", "1d", "--by", "service-tier", "--format", "json"])).stdout);
      expect(byTier.breakdown.groups.map((g: { key: string | null; requests: number; costNanos: string }) => [g.key, g.requests, String(g.costNanos)])).toEqual([
        ["batch", 1, "3000000"],
        ["priority", 1, "6000000"],
        [null, 1, "6000000"],
      ]);
      const table = (await cli([...db, "stats", "--since", "1d", "--by", "tier"])).stdout;
      expect(table).toMatch(/Usage by Service Tier/);
      expect(table).toMatch(/batch\s+│?\s*1\b/);
      // Priced as standard for want of a rule: said on stderr; a tier with a rule is not.
      const priority = await cli([...db, "track", "--model", "house-gpt", "--provider", "openai", "--prompt-tokens", "10", "--service-tier", "priority"]);
      expect([priority.code, priority.stderr]).toEqual([0, expect.stringMatching(/^Warning: calls at service tier 'priority' through openai \(first: model 'house-gpt'\) are priced at the model's standard price/)]);
      expect((await cli([...db, "track", "--model", "house-gpt", "--provider", "openai", "--prompt-tokens", "10", "--service-tier", "flex"])).stderr).toBe("");
      // A price for the tier: priority calls priced as given, and nothing to warn about.
      await cli([...db, "prices", "set", "--model", "house-gpt", "--provider", "openai", "--service-tier", "priority", "--input", "3.5", "--output", "14"]);
      expect(await track("--service-tier", "priority")).toMatchObject({ costNanos: "10500000", serviceTier: "priority" });
      expect((await cli([...db, "prices", "list"])).stdout).toMatch(/house-gpt\s+│\s+openai\s+│\s+priority\s+│/);
      const badTier = await cli([...db, "prices", "set", "--model", "house-gpt", "--service-tier", "Priority", "--input", "1", "--output", "1"]);
      expect([badTier.code, badTier.stderr]).toEqual([1, 'Error: --service-tier must be a lower-case word of up to 32 letters, digits, _ or - (got "Priority")\n']);
    });

    it("refuses bad price flags in one line with exit 2, storing nothing", async () => {
      const db = await fresh();
      const limit = await cli([...db, "reprice", "--start", "2025-03-01", "--end", "2025-03-02", "--limit", "many"]);
      expect(limit.stderr.split("\n")[0]).toBe('Error: --limit must be a non-negative integer (got "many") (see "llm-accounting --help")');
      const bad = await cli([...db, "prices", "set", "--model", "m", "--input", "-1", "--output", "1"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.split("\n")[0]).toBe('Error: --input must be a non-negative number (got "-1") (see "llm-accounting --help")');
      const missing = await cli([...db, "prices", "set", "--model", "m", "--input", "1"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.split("\n")[0]).toBe('Error: Missing required argument: output (see "llm-accounting --help")');
      expect((await cli([...db, "prices", "list", "--format", "json"])).stdout.trim()).toBe("[]");
      const backwards = await cli([...db, "reprice", "--start", "2025-03-02", "--end", "2025-03-01"]);
      expect(backwards.code).toBe(2);
      expect(backwards.stderr.split("\n")[0]).toBe('Error: --end must not be before --start (see "llm-accounting --help")');
    });

    it("check prices the tokens as track would, so a cost limit sees them; a given --cost wins", async () => {
      const db = await fresh();
      await cli([...db, "prices", "set", "--model", "house-model", "--input", "1", "--cache-read", "0.1", "--output", "2"]);
      await cli([...db, "limits", "set", "--scope", "USER", "--username", "alice", "--limit-type", "cost", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1"]);
      const check = (...args: string[]) => cli([...db, "check", "--model", "house-model", "--username", "alice", ...args]);
      const big = await check("--prompt-tokens", "6000000");
      expect(big.code).toBe(3);
      expect(big.stdout).toContain("Current usage: $0.00, request: $6.00.");
      const fits = await check("--input-tokens", "1000000", "--completion-tokens", "1000000");
      expect([fits.code, fits.stdout]).toEqual([0, "Allowed\n"]);
      expect((await check("--prompt-tokens", "6000000", "--cost", "0.1")).code).toBe(0);
      // 6M input of which 5M from the cache: 1M at $1 plus 5M at $0.10 = $1.50, within the limit.
      expect((await check("--prompt-tokens", "6000000", "--cached-tokens", "5000000")).code).toBe(0);
      expect((await cli([...db, "tail", "--format", "json"])).stdout.trim()).toBe("[]");
    });

    it("check loads the catalog price when a cost limit applies (and only then is the estimate priced)", async () => {
      const db = await fresh();
      const check = () => cli([...db, "check", "--model", "gpt-4o", "--username", "alice", "--prompt-tokens", "1000000", "--format", "json"]);
      // No cost limit: the estimate is not priced, the call is allowed.
      await cli([...db, "limits", "set", "--scope", "USER", "--username", "alice", "--limit-type", "requests", "--max-value", "5", "--interval-unit", "day", "--interval-value", "1"]);
      expect((await check()).code).toBe(0);
      // A cost limit of $0.01: 1M input tokens of gpt-4o cost dollars at the catalog's price.
      await cli([...db, "limits", "set", "--scope", "USER", "--username", "alice", "--limit-type", "cost", "--max-value", "0.01", "--interval-unit", "day", "--interval-value", "1"]);
      const denied = await check();
      expect(denied.code).toBe(3);
      expect(JSON.parse(denied.stdout).reason).toMatch(/request: \$[1-9]/);
    });

    it("--no-catalog-prices records a call without a stored price as unpriced, and says so on stderr", async () => {
      const db = await fresh();
      const run = await cli([...db, "--no-catalog-prices", "track", "--model", "gpt-4o", "--prompt-tokens", "10", "--format", "json"]);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ costNanos: "0", costSource: "unpriced" });
      expect(run.stderr).toMatch(/^Warning: no price for model 'gpt-4o'; recorded with cost 0 and marked unpriced .*\n$/);
      const given = await cli([...db, "--no-catalog-prices", "track", "--model", "gpt-4o", "--cost", "0.5"]);
      expect([given.code, given.stderr]).toEqual([0, ""]);
    });

    it("says an unpriced call once, on its own stderr line, with no process warning from the library as well", async () => {
      const db = await fresh();
      const warnings: Error[] = [];
      const listen = (warning: Error) => warnings.push(warning);
      process.on("warning", listen);
      try {
        const run = await cli([...db, "track", "--model", "no-such-model-anywhere", "--prompt-tokens", "10"]);
        expect(run.stderr).toMatch(/^Warning: no price for model 'no-such-model-anywhere'; .*\n$/);
        await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
      } finally {
        process.off("warning", listen);
      }
      expect(warnings.filter((w) => w.message.includes("no-such-model-anywhere"))).toEqual([]);
    });
  });
}

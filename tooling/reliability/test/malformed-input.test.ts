import { afterAll, describe, expect, it } from "vitest";
import { Accounting, ValidationError, type UsageInput } from "@llm-accounting/core";
import { runCli, type CliIo } from "@llm-accounting/cli";
import { MALFORMED_LIMITS, MALFORMED_USAGE } from "./support/malformed-usage.js";
import { BACKENDS, freshStore, removeFreshStores, type FreshStore } from "./support/stores.js";

// Every bad input is refused with one line naming the field, and the store is left exactly as it
// was: through the library (one call, and inside a batch of good ones) and through the CLI.
afterAll(removeFreshStores, 180_000);

async function contents(accounting: Accounting): Promise<string> {
  return JSON.stringify(await accounting.tail(1_000_000), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t) },
    readLine: async () => null,
    env: {},
    now: () => new Date(),
  };
  const code = await runCli([...argv], io);
  return { code, stdout, stderr };
}

describe.each(BACKENDS)("malformed input on %s", (backend) => {
  let store: FreshStore;
  let accounting: Accounting;
  afterAll(() => accounting?.close());

  it(`refuses all ${MALFORMED_USAGE.length} malformed calls with a one-line ValidationError naming the field, storing nothing`, async () => {
    store = await freshStore(backend);
    accounting = new Accounting({ store: store.open() });
    await accounting.trackUsage({ model: "seed", promptTokens: 1, cost: 0.5 });
    const before = await contents(accounting);
    const wrong: string[] = [];
    for (const { name, input, field } of MALFORMED_USAGE) {
      // Alone, and second in a batch of good calls (where the field is named with its index).
      const attempts: [() => Promise<unknown>, string][] = [
        [() => accounting.trackUsage(input as UsageInput), field],
        [() => accounting.trackUsageBatch([{ model: "good" }, input as UsageInput, { model: "good" }]), `[1].${field}`],
      ];
      for (const [attempt, expected] of attempts) {
        const error = await attempt().then(() => null, (e: unknown) => e);
        if (!(error instanceof ValidationError)) wrong.push(`${name}: ${error === null ? "accepted" : `${(error as Error).name}: ${String((error as Error).message).slice(0, 200)}`}`);
        else if (error.field !== expected || error.message.includes("\n") || !error.message.startsWith(expected)) wrong.push(`${name}: ${error.message.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await contents(accounting)).toBe(before);
  });

  it(`refuses all ${MALFORMED_LIMITS.length} malformed limits with a one-line ValidationError naming the field, storing none`, async () => {
    const before = JSON.stringify(await accounting.getUsageLimits());
    const wrong: string[] = [];
    for (const { name, input, field } of MALFORMED_LIMITS) {
      const error = await accounting.setUsageLimit(input as never).then(() => null, (e: unknown) => e);
      if (!(error instanceof ValidationError) || error.field !== field || error.message.includes("\n")) wrong.push(`${name}: ${error === null ? "accepted" : String((error as Error).message).slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
    expect(JSON.stringify(await accounting.getUsageLimits())).toBe(before);
  });

  it("refuses malformed flags of `track` with one line on stderr and a non-zero exit, storing nothing", async () => {
    const before = await contents(accounting);
    const bad: string[][] = [
      ["--prompt-tokens", "-5"], ["--prompt-tokens", "1.5"], ["--prompt-tokens", "abc"], ["--prompt-tokens", "1e400"], ["--prompt-tokens", "9007199254740993"],
      ["--completion-tokens", ""], ["--cost", "NaN"], ["--cost", "-1"], ["--cost", "1e400"], ["--cost", "0x10"], ["--execution-time", "-2"],
      ["--timestamp", "2025-13-45"], ["--timestamp", "tomorrow"], ["--cached-tokens", "50", "--prompt-tokens", "10"],
      ["--reasoning-tokens", "9", "--completion-tokens", "3"], ["--project", "x".repeat(100_000)], ["--username", "a\u0000b"],
    ];
    const wrong: string[] = [];
    for (const flags of bad) {
      const run = await cli([...store.cliArgs, "track", "--model", "m", ...flags]);
      const lines = run.stderr.split("\n").filter((l) => l !== "");
      if (run.code === 0 || lines.length !== 1 || !lines[0]!.startsWith("Error: ")) wrong.push(`${flags.join(" ").slice(0, 60)} → exit ${run.code}: ${run.stderr.slice(0, 300)}`);
    }
    const emptyModel = await cli([...store.cliArgs, "track", "--model", ""]);
    if (emptyModel.code === 0) wrong.push("--model '' accepted");
    expect(wrong).toEqual([]);
    expect(await contents(accounting)).toBe(before);
  });
});

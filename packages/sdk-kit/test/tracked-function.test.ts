import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, ValidationError, withUsageContext } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { tracked } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-tracked-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for a model call: answers after a few milliseconds with provider-shaped usage. */
async function complete(prompt: string): Promise<{ text: string; model: string; usage: { input: number; output: number } }> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { text: `echo ${prompt}`, model: "gpt-4o-2024-08-06", usage: { input: prompt.length, output: 7 } };
}
const usage = (result: Awaited<ReturnType<typeof complete>>) => ({ model: result.model, promptTokens: result.usage.input, completionTokens: result.usage.output, cost: 0.000_1 });

describe("tracked on a real SQLite store", () => {
  it("records each call with its usage, wall time, options' names and the usage context; returns the result unchanged", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "records.sqlite") }) });
    const ask = tracked(complete, { accounting, model: "gpt-4o", provider: "openai", usage, project: "bot", callerName: "answerer" });
    expect(await ask("hello")).toEqual({ text: "echo hello", model: "gpt-4o-2024-08-06", usage: { input: 5, output: 7 } });
    await withUsageContext({ username: "alice", session: "s-1", callerName: "summarizer" }, () => ask("hi there"));
    await ask.flush();
    const [second, first] = await accounting.tail(2);
    expect(first).toMatchObject({ model: "gpt-4o-2024-08-06", provider: "openai", promptTokens: 5, completionTokens: 7, totalTokens: 12, costNanos: 100_000n, project: "bot", callerName: "answerer" });
    expect(second).toMatchObject({ promptTokens: 8, username: "alice", session: "s-1", callerName: "summarizer", project: "bot" });
    expect(first!.executionTime).toBeGreaterThanOrEqual(0.015);
    expect(first!.executionTime).toBeLessThan(5);
    await accounting.close();
  });

  it("records the options' tags under the context's and over the facade's, guarded or not", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "tags.sqlite") }), tags: { env: "prod", team: "core" } });
    for (const guard of [false, true]) {
      const ask = tracked(complete, { accounting, model: "gpt-4o", usage, guard, allowUnpricedCalls: true, tags: { feature: "ask", team: "search" } });
      await withUsageContext({ tags: { feature: "chat", tenant: "acme" } }, () => ask("hi"));
      await ask.flush();
    }
    const records = await accounting.tail(2);
    expect(records.map((r) => r.tags)).toEqual([0, 1].map(() => ({ env: "prod", feature: "chat", team: "search", tenant: "acme" })));
    await accounting.close();
  });

  it("records nothing for a call that throws, and rethrows its error; a failing usage reader goes to onError", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "failures.sqlite") }) });
    const reported: unknown[] = [];
    const failing = tracked(async (_prompt: string): Promise<{ n: number }> => { throw new Error("upstream 503"); }, { accounting, model: "gpt-4o", usage: (r) => ({ promptTokens: r.n }), onError: (e) => reported.push(e) });
    await expect(failing("x")).rejects.toThrow("upstream 503");
    const unreadable = tracked(async () => ({ n: 1 }), { accounting, model: "gpt-4o", usage: () => { throw new Error("no usage field"); }, onError: (e) => reported.push(e) });
    expect(await unreadable()).toEqual({ n: 1 });
    await failing.flush();
    await unreadable.flush();
    expect(await accounting.tail(10)).toEqual([]);
    expect(reported.map(String)).toEqual(["Error: no usage field"]);
    await accounting.close();
  });

  it("with guard, refuses a call over a limit without running the function, and commits allowed calls", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "guard.sqlite") }) });
    await accounting.setUsageLimit({ scope: "USER", username: "bob", model: null, callerName: null, projectName: null, limitType: "requests", maxValue: 1, intervalUnit: "day", intervalValue: 1 });
    await accounting.setUsageLimit({ scope: "USER", username: "carol", model: null, callerName: null, projectName: null, limitType: "output_tokens", maxValue: 100, intervalUnit: "day", intervalValue: 1 });
    let runs = 0;
    const counted = async (prompt: string) => {
      runs += 1;
      return complete(prompt);
    };
    const ask = tracked(counted, { accounting, model: "gpt-4o", usage, guard: true, maxOutputTokens: 50, prompt: (p) => p });
    await withUsageContext({ username: "bob" }, () => ask("first"));
    await expect(withUsageContext({ username: "bob" }, () => ask("second"))).rejects.toBeInstanceOf(QuotaExceededError);
    expect(runs).toBe(1);
    // Carol's reservation (200 output tokens) exceeds her 100-token limit before anything is spent.
    const wordy = tracked(counted, { accounting, model: "gpt-4o", usage, guard: true, maxOutputTokens: 200 });
    await expect(withUsageContext({ username: "carol" }, () => wordy("x"))).rejects.toBeInstanceOf(QuotaExceededError);
    expect(runs).toBe(1);
    await ask.flush();
    const rows = await accounting.tail(10);
    expect(rows.map((r) => [r.username, r.promptTokens, r.completionTokens])).toEqual([["bob", 5, 7]]);
    await accounting.close();
  });

  it("with guard, checks the reservation against TAG limits by the wrapper's tags, not only the context's", async () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "tag-guard.sqlite") }) });
    await accounting.setUsageLimit({ scope: "TAG", tag: { key: "tenant", value: "acme" }, model: null, username: null, callerName: null, projectName: null, limitType: "requests", maxValue: 1, intervalUnit: "day", intervalValue: 1 });
    let runs = 0;
    const counted = async (prompt: string) => {
      runs += 1;
      return complete(prompt);
    };
    const forAcme = tracked(counted, { accounting, model: "gpt-4o", usage, guard: true, allowUnpricedCalls: true, tags: { tenant: "acme" } });
    await forAcme("first");
    await expect(forAcme("second")).rejects.toThrow(/^TAG \(tag: tenant=acme\) limit: 1\.00 requests per 1 day exceeded/);
    const forGlobex = tracked(counted, { accounting, model: "gpt-4o", usage, guard: true, allowUnpricedCalls: true, tags: { tenant: "globex" } });
    await forGlobex("third");
    expect(runs).toBe(2);
    await forAcme.flush();
    await forGlobex.flush();
    expect((await accounting.tail(5)).map((r) => r.tags)).toEqual([{ tenant: "globex" }, { tenant: "acme" }]);
    await accounting.close();
  });

  it("refuses bad options with one line naming the field", () => {
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "unused.sqlite") }) });
    expect(() => tracked(complete, { accounting, model: "", usage })).toThrow(new ValidationError("model", "must be a non-empty string"));
    expect(() => tracked(complete, { accounting, model: "gpt-4o", usage: undefined as never })).toThrow(/^usage must be a function/);
    expect(() => tracked(complete, { accounting, model: "gpt-4o", usage, maxOutputTokens: 1.5 })).toThrow("maxOutputTokens must be a positive whole number of tokens (got 1.5)");
  });
});

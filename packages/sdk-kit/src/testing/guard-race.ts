import assert from "node:assert/strict";
import { QuotaExceededError, type Accounting } from "@llm-accounting/core";
import { DENY_ALL_REQUESTS } from "./helpers.js";

/** One case of a shared suite: register it with the test runner as `it(name, run)`. */
export interface TestCase {
  readonly name: string;
  run(): Promise<void>;
}

/** A call the guard races with, and the output tokens it reserves and the server spends. */
export interface GuardRaceCall<Client> {
  /** The output cap the guard reserves for the call (`DEFAULT_MAX_OUTPUT_TOKENS` when it names none). */
  readonly outputCap: number;
  /** One call through the guarded client. */
  readonly call: (client: Client) => Promise<unknown>;
}

/** What a wrapper's guard race test brings: its wrapper, its SDK calls and its fake server. */
export interface GuardRaceSetup<Client> {
  /** The model the calls name, and its provider: they price the limit. */
  readonly model: string;
  readonly provider: string;
  /** A facade over a fresh, empty store, with a pricer that prices `model`. */
  readonly openAccounting: () => Promise<Accounting>;
  /** The client (or model) guarded over `accounting`, against a server that answers each call spending `outputCap` output tokens. */
  readonly guarded: (accounting: Accounting, outputCap: number) => Client;
  /** How many requests the fake server has received so far. */
  readonly requests: () => number;
  /** Waits until the usage of the client's finished calls is stored; none for a wrapper that stores it before the call returns. */
  readonly flush?: (client: Client) => Promise<void>;
  /** The calls made 20 at once, each in a case of its own, by label. */
  readonly concurrent: Readonly<Record<string, GuardRaceCall<Client>>>;
  /** The call a caller makes 20 times, one after another. */
  readonly oneAfterAnother: GuardRaceCall<Client>;
}

/**
 * The guard's race against a cost limit that fits 3 calls (the catalog prices every reservation):
 * 20 calls, concurrent or one after another, send exactly 3 requests and spend within the limit.
 */
export function guardRaceCases<Client>(setup: GuardRaceSetup<Client>): TestCase[] {
  const concurrent = Object.entries(setup.concurrent).map(([label, { outputCap, call }]): TestCase => ({
    name: `20 concurrent calls (${label}): exactly 3 reach the server and spend stays within the limit`,
    run: () =>
      withGuardedClient(setup, outputCap, async (accounting, client, limit) => {
        const before = setup.requests();
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => call(client)));
        await setup.flush?.(client);
        assert.equal(setup.requests() - before, 3, "requests that reached the server");
        const otherFailures = results.flatMap((result) => (result.status === "rejected" && !(result.reason instanceof QuotaExceededError) ? [result.reason] : []));
        assert.deepEqual(otherFailures, [], "calls refused other than by QuotaExceededError");
        const spent = (await accounting.tail(-1)).reduce((sum, record) => sum + record.costNanos, 0n);
        assert.ok(Number(spent) / 1e9 <= limit, `spent ${Number(spent) / 1e9} USD, over the limit of ${limit} USD`);
      }),
  }));
  const { outputCap, call } = setup.oneAfterAnother;
  const oneAfterAnother: TestCase = {
    name: "a caller making calls one after another gets exactly 3",
    run: () =>
      withGuardedClient(setup, outputCap, async (_, client) => {
        const before = setup.requests();
        let refused = 0;
        for (let i = 0; i < 20; i++) await call(client).catch(() => refused++);
        assert.equal(setup.requests() - before, 3, "requests that reached the server");
        assert.equal(refused, 17, "calls refused");
      }),
  };
  return [...concurrent, oneAfterAnother];
}

/** Runs `body` with a guarded client over a fresh store whose cost limit (`limit`, USD) fits 3.5 calls spending `outputCap` tokens; closes the store after. */
async function withGuardedClient<Client>(
  setup: GuardRaceSetup<Client>,
  outputCap: number,
  body: (accounting: Accounting, client: Client, limit: number) => Promise<void>,
): Promise<void> {
  const accounting = await setup.openAccounting();
  try {
    const spent = await accounting.quoteCost({ model: setup.model, provider: setup.provider, completionTokens: outputCap });
    // An unpriced model would make the cost limit meaningless: the race would prove nothing.
    assert.equal(spent.costSource, "price", `the pricer does not price ${setup.model}`);
    const limit = (Number(spent.costNanos) / 1e9) * 3.5;
    await accounting.setUsageLimit({ ...DENY_ALL_REQUESTS, limitType: "cost", maxValue: limit });
    await body(accounting, setup.guarded(accounting, outputCap), limit);
  } finally {
    await accounting.close();
  }
}

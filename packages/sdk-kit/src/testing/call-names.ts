import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { withUsageContext, type Accounting, type AccountingOptions, type UsageRecord } from "@llm-accounting/core";
import type { TrackingOptions } from "../options.js";

/** The tracked clients of a wrapper's call-names test (a `TrackedClients`, or the same two methods). */
export interface CallNamesClients<Client> {
  /** A facade over a fresh store (with `facade` options) and a client tracked over it with the wrapper's `options`. */
  tracked(options: Omit<TrackingOptions, "accounting">, facade: Omit<AccountingOptions, "store">): { accounting: Accounting; client: Client };
  /** Waits until the client's usage is stored, then returns every stored row, newest first. */
  rows(accounting: Accounting, client: Client): Promise<UsageRecord[]>;
}

/** The resolver's arguments a call must show: the context's project over the wrapper's, and no check. */
const RESOLVED = { context: "ctx-project", wrapper: "opt-project", options: [{ check: false }] };

/**
 * Checks that a call's names come from core's `resolveCallNames`: the usage context is resolved
 * over the wrapper's names when the call starts, and the facade adds its defaults. `call` makes one
 * call through a client; `resolverCalls` returns the arguments of every call the resolver has had so
 * far: the test file watches it (`vi.mock` of `@llm-accounting/core`, then
 * `() => vi.mocked(resolveCallNames).mock.calls`), as a wrapper that worked out its names on its own
 * would never call it.
 */
export async function checkCallNames<Client>(
  clients: CallNamesClients<Client>,
  call: (client: Client) => Promise<unknown>,
  resolverCalls: () => readonly (readonly unknown[])[],
): Promise<void> {
  const { accounting, client } = clients.tracked({ username: "opt-user", project: "opt-project", guard: true, allowUnpricedCalls: true }, { appName: "def-caller", onUnpriced: () => undefined });
  try {
    const before = resolverCalls().length;
    // A null in the context falls through to the wrapper's name (the resolver's rule), as absent does.
    await withUsageContext({ username: null, project: "ctx-project", session: "s-1" }, () => call(client));
    const asked = resolverCalls().slice(before).map(([names, ...options]) => ({ context: projectOf(names, "context"), wrapper: projectOf(names, "wrapper"), options }));
    assert.ok(asked.some((names) => isDeepStrictEqual(names, RESOLVED)), `resolveCallNames was not asked for ${JSON.stringify(RESOLVED)}; it was asked for ${JSON.stringify(asked)}`);
    const [row] = await clients.rows(accounting, client);
    const names = { username: row?.username, project: row?.project, callerName: row?.callerName, session: row?.session };
    assert.deepEqual(names, { username: "opt-user", project: "ctx-project", callerName: "def-caller", session: "s-1" });
  } finally {
    await accounting.close();
  }
}

/** The `project` of `names[level]`, or undefined where that is not an object. */
function projectOf(names: unknown, level: "context" | "wrapper"): unknown {
  const named = (names as Record<string, unknown> | undefined)?.[level];
  return typeof named === "object" && named !== null ? (named as { project?: unknown }).project : undefined;
}

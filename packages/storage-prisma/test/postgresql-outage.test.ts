// An open PostgreSQL store losing its server reports StoreUnavailableError (one line, the driver
// error as cause) from every method, and works again once the server is back. The outage is a
// TCP proxy the test cuts, or an administrator terminating the store's backend: the shared
// server itself is never stopped.
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Accounting, StoreUnavailableError, UsageBuffer, type BufferErrorEvent } from "@llm-accounting/core";
import { PostgresqlStore } from "../src/index.js";
import { createTestDatabase, TEST_POSTGRES_URL } from "../src/testing/index.js";
import { TcpProxy } from "./tcp-proxy.js";

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
}, 180_000);

const server = new URL(TEST_POSTGRES_URL);

async function storeBehindProxy(): Promise<{ accounting: Accounting; store: PostgresqlStore; proxy: TcpProxy; url: string }> {
  const db = await createTestDatabase();
  drops.push(db.drop);
  const proxy = new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  await proxy.start();
  const url = new URL(db.url);
  url.port = String(proxy.port);
  const store = new PostgresqlStore({ connectionString: url.toString(), connectTimeoutMs: 30_000 });
  return { accounting: new Accounting({ store }), store, proxy, url: db.url };
}

async function expectUnavailable(call: Promise<unknown>, what: string): Promise<void> {
  const error = await call.then(
    () => {
      throw new Error(`${what} succeeded during the outage`);
    },
    (caught: unknown) => caught,
  );
  expect(error, what).toBeInstanceOf(StoreUnavailableError);
  expect((error as Error).message, what).not.toContain("\n");
  expect((error as Error).message, what).toMatch(/^PostgreSQL .* is unavailable: /);
  expect((error as Error).cause, what).toBeDefined();
}

describe("PostgreSQL store during an outage", () => {
  it("every method of an open store reports StoreUnavailableError, and the store works again afterwards", async () => {
    const { accounting, store, proxy } = await storeBehindProxy();
    await accounting.trackUsage({ model: "m", promptTokens: 1, username: "u" });
    const limit = await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
    await proxy.cut();

    const day = { start: new Date(Date.now() - 86_400_000), end: new Date(Date.now() + 60_000) };
    const calls: [string, () => Promise<unknown>][] = [
      ["trackUsage", () => accounting.trackUsage({ model: "m", promptTokens: 2 })],
      ["trackUsage enforced", () => accounting.trackUsage({ model: "m", promptTokens: 2 }, { enforceLimits: true })],
      ["trackUsageBatch", () => accounting.trackUsageBatch([{ model: "m", promptTokens: 3 }])],
      ["sumUsage", () => store.sumUsage(day)],
      ["sumUsageByModel", () => store.sumUsageByModel(day)],
      ["sumUsageBy", () => store.sumUsageBy(day, "username")],
      ["tail", () => store.tail(5)],
      ["usageInRange", () => store.usageInRange(day, 0, 10)],
      ["sumQuotaUsage", () => store.sumQuotaUsage([{ start: day.start, end: day.end, filter: {} } as never], new Date())],
      ["limitsVersion", () => store.limitsVersion()],
      ["listLimits", () => store.listLimits()],
      ["insertLimit", () => accounting.setUsageLimit({ scope: "MODEL", limitType: "requests", maxValue: 1, intervalUnit: "day", intervalValue: 1, model: "m", username: null, callerName: null, projectName: null })],
      ["deleteLimit", () => store.deleteLimit(limit.id)],
      ["insertRejection", () => store.insertRejection({ session: "s", createdAt: new Date(), message: "no" })],
      ["listRejections", () => store.listRejections()],
      ["insertAuditEntry", () => store.insertAuditEntry({ timestamp: new Date(), appName: "a", userName: "u", model: "m", promptText: "p", responseText: null, remoteCompletionId: null, project: null, logType: "prompt", session: null })],
      ["listAuditEntries", () => store.listAuditEntries()],
      ["createProject", () => store.createProject("p")],
      ["listProjects", () => store.listProjects()],
      ["createUser", () => store.createUser({ userName: "u", ouName: null, email: null }, new Date())],
      ["listUsers", () => store.listUsers()],
      ["registryVersion", () => store.registryVersion()],
      ["insertPrice", () => accounting.setModelPrice({ model: "m", inputPerMTok: 1, outputPerMTok: 1 })],
      ["listPrices", () => store.listPrices()],
      ["updateCosts", () => store.updateCosts([{ id: 1, costNanos: 5n, costSource: "caller" }])],
      ["purgeUsage", () => store.purgeUsage()],
      ["importCursor", () => store.importCursor("k")],
    ];
    for (const [what, call] of calls) await expectUnavailable(call(), what);

    await proxy.start();
    await accounting.trackUsage({ model: "m", promptTokens: 4 });
    expect((await accounting.tail(-1)).map((record) => record.promptTokens)).toEqual([4, 1]);
    await accounting.close();
  });

  it("a buffered writer retries through the outage and stores everything once the server is back", async () => {
    const { accounting, proxy } = await storeBehindProxy();
    await accounting.open();
    const events: BufferErrorEvent[] = [];
    const buffer = new UsageBuffer(accounting, { flushIntervalMs: 3_600_000, installExitHooks: false, retryBaseMs: 5, retryMaxMs: 50, onError: (event) => events.push(event) });
    await proxy.cut();
    for (let i = 1; i <= 20; i++) buffer.trackUsage({ model: "m", promptTokens: i });
    const flushed = buffer.flush();
    await expect.poll(() => buffer.stats().failedWrites, { timeout: 45_000 }).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ stage: "write", willRetry: true });
    expect(events[0]!.error).toBeInstanceOf(StoreUnavailableError);
    await proxy.start();
    await flushed;
    expect(buffer.stats()).toMatchObject({ written: 20, rejected: 0, queued: 0 });
    await buffer.close();
    await accounting.close();
  });

  it("a backend an administrator terminates mid-statement (57P01) is reported as StoreUnavailableError", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: db.url, connectTimeoutMs: 30_000 }) });
    const limit = await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "requests", maxValue: 100, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null });
    // Hold the limit's advisory lock so the enforced write waits inside the server, then terminate
    // that waiting backend, and only it: a backend of this test's own database waiting on a lock.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query("SELECT pg_advisory_lock($1, $2)", [0x4c4c4d41, limit.id]);
    const write = accounting.trackUsage({ model: "m", promptTokens: 1 }, { enforceLimits: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    const database = new URL(db.url).pathname.slice(1);
    const waiting = "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()";
    await expect.poll(async () => (await admin.query(waiting, [database])).rowCount, { timeout: 45_000 }).toBe(1);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM (${waiting}) AS w`, [database]);
    const error = await write;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/is unavailable: terminating connection due to administrator command$/);
    await admin.end();
    await holder.end();
    // The pool replaces the terminated connection.
    await accounting.trackUsage({ model: "m", promptTokens: 2 }, { enforceLimits: true });
    await accounting.close();
  });
});

// Names at their documented maximum, in four-byte characters, in every field at once: each store
// keeps them (on PostgreSQL the widest index, the unique key of usage_limits, must still fit), and
// one character more is refused by validation with a ValidationError before anything is written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH, ValidationError, type UsageStore } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "../src/index.js";
import { createTestDatabase } from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-names-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
}, 180_000);

// Four-byte characters that do not repeat: PostgreSQL compresses large index entries, and a
// repeated character would compress to nothing and prove nothing. Each field gets its own run.
let seed = 0;
function wide(n: number): string {
  const start = ++seed * 7_777;
  return Array.from({ length: n }, (_, i) => String.fromCodePoint(0x10000 + ((start + i * 7_919) % 0xf0000))).join("");
}
const max = () => wide(NAME_MAX_LENGTH);
const over = () => wide(NAME_MAX_LENGTH + 1);

const stores: [string, () => Promise<UsageStore>][] = [
  ["sqlite", async () => new SqliteStore({ file: join(dir, "names.sqlite") })],
  [
    "postgresql",
    async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      return new PostgresqlStore({ connectionString: db.url, connectTimeoutMs: 30_000 });
    },
  ],
];

describe.each(stores)("names at their maximum on %s", (_name, create) => {
  it("stores every field at its maximum of four-byte characters at once, and refuses one character more", async () => {
    const store = await create();
    const accounting = new Accounting({ store });
    const names = { model: max(), provider: max(), username: max(), callerName: max(), project: max(), session: max() };

    const tracked = await accounting.trackUsage({ ...names, promptTokens: 1, completionTokens: 1 });
    const [row] = await accounting.tail(1);
    expect(row).toMatchObject({ id: tracked.id, ...names });
    // The quota path writes reservations and rejections in a transaction of its own.
    const quota = { model: names.model, username: names.username, callerName: names.callerName, projectName: names.project, session: names.session };
    const reservation = await accounting.reserve(quota);
    await reservation.commit({ promptTokens: 1, completionTokens: 1 });
    await accounting.trackUsage({ ...names, promptTokens: 1 }, { enforceLimits: true });

    // The widest index: scope and type plus four names at their maximum.
    const limit = await accounting.setUsageLimit({ scope: "PROJECT", limitType: "output_tokens", maxValue: 0, intervalUnit: "monthly", intervalValue: 1, model: names.model, username: names.username, callerName: names.callerName, projectName: names.project });
    expect(limit).toMatchObject({ model: names.model, username: names.username, callerName: names.callerName, projectName: names.project });
    expect((await accounting.checkQuota({ ...quota, completionTokens: 1 })).allowed).toBe(false);

    await accounting.createProject(names.project);
    const ouName = wide(SHORT_TEXT_MAX_LENGTH);
    const user = await accounting.createUser({ userName: names.username, ouName, email: wide(SHORT_TEXT_MAX_LENGTH) });
    expect(user).toMatchObject({ userName: names.username, ouName });
    await accounting.setModelPrice({ model: names.model, provider: names.provider, inputPerMTok: 1, outputPerMTok: 1, note: wide(5000) });
    const audit = { timestamp: new Date(), appName: names.callerName, userName: names.username, model: names.model, promptText: wide(5000), responseText: null, remoteCompletionId: wide(SHORT_TEXT_MAX_LENGTH), project: names.project, logType: max(), session: names.session };
    await store.insertAuditEntry(audit);
    expect((await store.listAuditEntries())[0]).toMatchObject(audit);

    const before = await accounting.tail(-1);
    for (const field of Object.keys(names) as (keyof typeof names)[]) {
      await expect(accounting.trackUsage({ ...names, [field]: over() })).rejects.toThrow(new ValidationError(field, `must be at most ${NAME_MAX_LENGTH} characters (got ${NAME_MAX_LENGTH + 1})`));
      await expect(accounting.trackUsage({ ...names, [field]: "nul\u0000" })).rejects.toThrow(ValidationError);
    }
    await expect(accounting.setUsageLimit({ scope: "MODEL", limitType: "requests", maxValue: 1, intervalUnit: "day", intervalValue: 1, model: over(), username: null, callerName: null, projectName: null })).rejects.toThrow(ValidationError);
    await expect(accounting.createProject(over())).rejects.toThrow(ValidationError);
    await expect(accounting.createUser({ userName: "u", email: wide(SHORT_TEXT_MAX_LENGTH + 1) })).rejects.toThrow(ValidationError);
    await expect(accounting.reserve({ ...quota, session: over() })).rejects.toThrow(ValidationError);
    await expect(accounting.setModelPrice({ model: "m", provider: over(), inputPerMTok: 1, outputPerMTok: 1 })).rejects.toThrow(ValidationError);
    expect(await accounting.tail(-1)).toEqual(before);
    expect(await accounting.getUsageLimits()).toHaveLength(1);
    expect(await accounting.listProjects()).toEqual([names.project]);
    await accounting.close();
  });
});

import pg from "pg";
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore } from "@llm-accounting/storage-prisma";
import { randomRequest, rng } from "../../tooling/bench/quota.mjs";
const stats = {};
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (q, ...rest) {
  const text = typeof q === "string" ? q : q?.text ?? "";
  const key = text.startsWith("BEGIN; SET LOCAL") ? (text.includes("; COMMIT; BEGIN; SELECT pg_logical") ? "one-rt" : "rt1") : text.slice(0, 30);
  const t0 = process.hrtime.bigint();
  const r = orig.call(this, q, ...rest);
  if (r && r.then) r.then(() => { const s = (stats[key] ??= { n: 0, ms: 0 }); s.n++; s.ms += Number(process.hrtime.bigint() - t0) / 1e6; }, () => {});
  return r;
};
const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: process.argv[2] }) });
const random = rng(11);
for (let i = 0; i < 50; i++) await accounting.checkQuota(randomRequest(random));
for (const k of Object.keys(stats)) delete stats[k];
const t0 = Date.now();
for (let i = 0; i < 300; i++) {
  const r = randomRequest(random);
  await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags }, { enforceLimits: true });
}
console.log("total ms each", (Date.now() - t0) / 300);
for (const [k, s] of Object.entries(stats)) console.log(k, s.n, (s.ms / s.n).toFixed(3));
await accounting.close();

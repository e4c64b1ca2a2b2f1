import pg from "pg";
import { writeFileSync } from "node:fs";
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore } from "@llm-accounting/storage-prisma";
import { randomRequest, rng } from "../../tooling/bench/quota.mjs";
let prep = "", exec = "";
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (q, ...rest) {
  const text = typeof q === "string" ? q : q?.text ?? "";
  if (text.startsWith("PREPARE") && text.includes("ins AS")) prep = text;
  if (text.startsWith("BEGIN; SET LOCAL") && text.includes("pg_logical")) exec = text;
  return orig.call(this, q, ...rest);
};
const accounting = new Accounting({ store: new PostgresqlStore({ connectionString: process.argv[2] }) });
const random = rng(11);
for (let i = 0; i < 20; i++) {
  const r = randomRequest(random);
  await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags }, { enforceLimits: true });
}
writeFileSync("/work/prof/prep.sql", prep + ";\n");
const m = exec.match(/(EXECUTE llm_acct_x_[0-9a-f]+\(.*\)); COMMIT; BEGIN/s);
writeFileSync("/work/prof/exec.sql", m[1]);
await accounting.close();

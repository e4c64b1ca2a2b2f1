import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore } from "@llm-accounting/storage-prisma";
import { readFileSync, readdirSync } from "node:fs";
import { randomRequest, rng } from "./quota.mjs";
const url = process.argv[2];
const n = Number(process.argv[3] ?? 2000);
const mode = process.argv[4] ?? "guarded";
const store = new PostgresqlStore({ connectionString: url });
const accounting = new Accounting({ store });
const random = rng(9);
const pgCpu = () => {
  let t = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (!cmd.startsWith("postgres")) continue;
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      t += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return t * 10; // ms
};
const one = async () => {
  const r = randomRequest(random);
  if (mode === "guarded") await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags }, { enforceLimits: true });
  else if (mode === "plain") await accounting.trackUsage({ model: r.model, username: r.username, callerName: r.callerName, project: r.projectName, promptTokens: 500, completionTokens: 100, cost: 0.002, tags: r.tags });
  else await accounting.checkQuota(r);
};
for (let i = 0; i < 200; i++) await one();
const c0 = process.cpuUsage(), p0 = pgCpu(), t0 = performance.now();
for (let i = 0; i < n; i++) await one();
const wall = performance.now() - t0, c = process.cpuUsage(c0), p = pgCpu() - p0;
console.log(JSON.stringify({ mode, per_s: Math.round(n / (wall / 1000)), wall_us: Math.round((wall * 1000) / n), node_cpu_us: Math.round((c.user + c.system) / n), pg_cpu_us: Math.round((p * 1000) / n) }));
await accounting.close();

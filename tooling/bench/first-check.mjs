#!/usr/bin/env node
// A service restarting: opens an existing store in a fresh process and times open() and the first
// checkQuota apart, so the cost of the first check is not hidden by module loading or warm-up.
//   node first-check.mjs <sqlite FILE | postgresql URL>   prints {open_ms, first_us}
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { randomRequest, rng } from "./quota.mjs";

const [backend, location] = process.argv.slice(2);
const store = backend === "postgresql" ? new PostgresqlStore({ connectionString: location }) : new SqliteStore({ file: location });
const accounting = new Accounting({ store });
// Same request stream as the parent's checks, so both see comparable requests.
const request = randomRequest(rng(7));
const t0 = process.hrtime.bigint();
await accounting.open();
const t1 = process.hrtime.bigint();
await accounting.checkQuota(request);
const t2 = process.hrtime.bigint();
await accounting.close();
const round = (x) => Math.round(x * 100) / 100;
console.log(JSON.stringify({ open_ms: round(Number(t1 - t0) / 1e6), first_us: round(Number(t2 - t1) / 1e3) }));

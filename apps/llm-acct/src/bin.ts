#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { auditStoreFor, describeError, displayCurrency, errorLine, openAccounting, processIo, runCli } from "@llm-accounting/cli";
import { dashboardArgs } from "./dashboard-args.js";
import { summaryText } from "./summary.js";
import { allowLiveRendering } from "./terminal-env.js";
import { checkZone } from "./data/zone.js";
import { dashboardTagKeys } from "./data/tag-keys.js";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
const argv = process.argv.slice(2);
// The help lists the commands; without this line it never said what `llm-acct` alone does.
const DASHBOARD_NOTE =
  "With no command, llm-acct opens the dashboard on the store (a summary when piped), e.g. llm-acct --db-file usage.sqlite; --timezone Europe/Prague (or UTC) sets where its days start and how it shows times (default: the terminal's zone); --tag-key team (repeatable) adds a breakdown by that tag's values; --currency EUR --rates rates.csv (or $LLM_ACCOUNTING_CURRENCY, $LLM_ACCOUNTING_RATES) shows amounts in that currency at dated rates (limits stay in USD)";
const globals = dashboardArgs(argv);

if (!globals) {
  // `llm-acct <command>` runs the same commands as `llm-accounting`.
  process.exitCode = await runCli(argv, processIo(), "llm-acct", version, DASHBOARD_NOTE);
  process.stdin.unref?.();
} else {
  const io = processIo();
  try {
    // Checked before opening anything: a misspelt zone is a usage error.
    const timeZone = globals.timezone === undefined ? undefined : checkZone(globals.timezone);
    const tagKeys = dashboardTagKeys(globals.tagKey);
    // The rates file is read once, before the store is opened; nothing is fetched while the dashboard runs.
    const display = displayCurrency(globals, io);
    const money = display && { currency: display.code, rates: display.rates };
    const accounting = await openAccounting(globals, io, { readOnly: true });
    const audit = await auditStoreFor(globals, io.env, true);
    await accounting.open();
    const location = accounting.store.description;
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      process.stdout.write(await summaryText(accounting, location, new Date(), money));
    } else {
      allowLiveRendering(process.env);
      const { runDashboard } = await import("./dashboard.js");
      await runDashboard(accounting, audit, location, timeZone, tagKeys, money);
    }
    await accounting.close();
    if (audit !== accounting.store) await audit.close();
  } catch (error) {
    const [code, message] = error instanceof RangeError ? [2, error.message] : describeError(error);
    process.stderr.write(errorLine(code, message, "llm-acct"));
    process.exitCode = code;
  }
}

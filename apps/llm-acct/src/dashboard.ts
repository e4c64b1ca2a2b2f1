import { render } from "ink";
import { createElement } from "react";
import type { Accounting, AuditStore } from "@llm-accounting/core";
import { App } from "./components/App.js";
import type { DisplayMoney } from "./data/money.js";

/** Run the interactive dashboard on the alternate screen until the user quits. */
export async function runDashboard(accounting: Accounting, audit: AuditStore, location: string, timeZone?: string, tagKeys: readonly string[] = [], money?: DisplayMoney): Promise<void> {
  // The alternate screen keeps the user's scrollback intact and is restored on exit.
  process.stdout.write("\x1b[?1049h\x1b[H");
  try {
    // Incremental rendering rewrites only the lines that changed (the clock each second, not the screen).
    const app = render(createElement(App, { accounting, audit, location, tagKeys, ...(timeZone && { timeZone }), ...(money && { money }) }), { exitOnCtrlC: true, incrementalRendering: true });
    await app.waitUntilExit();
  } finally {
    process.stdout.write("\x1b[?1049l");
  }
}

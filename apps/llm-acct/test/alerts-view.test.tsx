import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { Limits } from "../src/components/Limits.js";
import { loadLimits, loadRecentAlerts } from "../src/data/load.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-alerts-view-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("Limits: shows the newest alerts under the limits, when the screen has room", async () => {
  // Alerts are raised at the store's clock, so the calls are recorded now, not at a pinned time.
  const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "alerts.sqlite") }) });
  try {
    await accounting.setUsageLimit({ scope: "GLOBAL", limitType: "cost", maxValue: 1, intervalUnit: "monthly", intervalValue: 1, model: null, username: null, callerName: null, projectName: null, alertAt: [0.5, 0.8] });
    await accounting.trackUsage({ model: "gpt-4o", cost: 0.85 });
    const now = new Date();
    const alerts = await loadRecentAlerts(accounting);
    const limits = await loadLimits(accounting);
    const tall = render(<Limits limits={limits} now={now} width={100} height={20} alerts={alerts} />).lastFrame() ?? "";
    expect(tall).toContain("Recent alerts");
    expect(tall).toMatch(/! 80% cost\/1mo GLOBAL: \$0\.85 of \$1\.00, heading for \$\d+\.\d\d · \d+s ago · pending/);
    expect(tall).toMatch(/! 50% cost\/1mo GLOBAL/);
    // Four rows leave no room for them beside the limit: the limits keep the screen.
    const short = render(<Limits limits={limits} now={now} width={100} height={4} alerts={alerts} />).lastFrame() ?? "";
    expect(short).not.toContain("Recent alerts");
  } finally {
    await accounting.close();
  }
});

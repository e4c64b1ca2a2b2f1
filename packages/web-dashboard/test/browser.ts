import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (tooling/scripts/ensure-chromium.sh installs it); playwright-core never downloads one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps dialling Google's hosts, which this
// offline machine refuses.
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A headless Chromium with a new empty profile, in UTC; `close` also deletes the profile. */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "llm-acct-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, timezoneId: "UTC", locale: "en-GB", viewport: { width: 1280, height: 900 } });
  // Playwright's 30 s default is too short when the whole suite shares 2 cores.
  context.setDefaultTimeout(90_000);
  context.setDefaultNavigationTimeout(90_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Problems a page reports: console errors, uncaught exceptions and failed requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ""}`));
  return problems;
}

/** Waits until the dashboard has finished `count` full loads (reports and recent calls). */
export async function loaded(page: Page, count = 1): Promise<void> {
  await page.waitForFunction((n) => ((globalThis as { llmDashboard?: { loads: number } }).llmDashboard?.loads ?? 0) >= n, count, { timeout: 90_000 });
}

/** How many full loads the dashboard has done so far. */
export const loads = (page: Page): Promise<number> => page.evaluate(() => (globalThis as unknown as { llmDashboard: { loads: number } }).llmDashboard.loads);

/** The rows of one breakdown panel as [name, cost]. */
export const panelRows = (page: Page, by: string): Promise<[string, number][]> =>
  page.$$eval(`.panel[data-by="${by}"] li[data-key]`, (items) => items.map((li) => [(li as HTMLElement).dataset.key!, Number((li as HTMLElement).dataset.cost)] as [string, number]));

/** The data the daily chart draws: days (seconds) and their costs. */
export const dailyData = (page: Page): Promise<[number[], number[]]> =>
  page.evaluate(() => (globalThis as unknown as { llmDashboard: { daily: { data: number[][] } } }).llmDashboard.daily.data as [number[], number[]]);

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { Accounting } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { startMetricsServer, type MetricsServer } from "@llm-accounting/prometheus";
import { dashboardStaticFiles } from "../src/index.js";
import { dailyData, loaded, loads, openBrowser, panelRows, watchProblems } from "./browser.js";
import { costBy, seededCalls, seedStore, type SeededCall } from "./seed.js";

const DAY = 86_400_000;
const TOKEN = "dash-s3cret";
const dir = mkdtempSync(join(tmpdir(), "llm-acct-web-"));
const file = join(dir, "accounting.sqlite");
const now = Date.now();
const calls = seededCalls(now);
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
// The page's default range: the last 30 days, today included (the browser runs in UTC).
const firstDay = utcDay(now - 29 * DAY);
const inRange = (call: SeededCall, since = firstDay) => utcDay(call.timestamp.getTime()) >= since;
const usd2 = (value: number) => `$${value.toFixed(2)}`;
const total = (list: readonly SeededCall[]) => list.reduce((s, c) => s + c.cost, 0);
/** The cost of `list` on each day the chart's x values stand for. */
const perDay = (list: readonly SeededCall[], x: number[]) => x.map((day) => total(list.filter((c) => utcDay(c.timestamp.getTime()) === utcDay(day * 1000))));

let served: Accounting;
let writer: Accounting;
let open: MetricsServer;
let guarded: MetricsServer;
let browser: Awaited<ReturnType<typeof openBrowser>>;
let context: BrowserContext;

beforeAll(async () => {
  await seedStore(file, calls);
  // The server reads the file as `serve` does; another facade writes to it, like an app would.
  served = new Accounting({ store: new SqliteStore({ file, readOnly: true }) });
  writer = new Accounting({ store: new SqliteStore({ file }) });
  open = await startMetricsServer(served, { port: 0, staticFiles: dashboardStaticFiles() });
  guarded = await startMetricsServer(served, { port: 0, token: TOKEN, staticFiles: dashboardStaticFiles() });
  browser = await openBrowser();
  context = browser.context;
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([open?.close(), guarded?.close()]);
  await Promise.all([served?.close(), writer?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function openDashboard(path = "/"): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${open.url}${path}`);
  await loaded(page);
  return { page, problems };
}

describe("the web dashboard in Chromium, on a real SQLite file and server", () => {
  it("serves its files with a restrictive policy, no sniffing and no referrer; only known paths", async () => {
    const page = await fetch(`${open.url}/`);
    expect([page.status, page.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
    expect([page.headers.get("x-content-type-options"), page.headers.get("referrer-policy")]).toEqual(["nosniff", "no-referrer"]);
    const script = await fetch(`${open.url}/assets/js/main.js`);
    expect([script.status, script.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
    expect((await fetch(`${open.url}/assets/vendor/uPlot.iife.min.js`)).status).toBe(200);
    for (const path of ["/index.html", "/assets/nothing.js", "/assets/%2e%2e/package.json", "/src/index.ts"]) expect([path, (await fetch(`${open.url}${path}`)).status]).toEqual([path, 404]);
    // The page itself needs no token; its data does.
    expect((await fetch(`${guarded.url}/`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/api/v1/summary`)).status).toBe(401);
  });

  it("overview: totals, the daily chart's data and every breakdown match the seeded calls", async () => {
    const { page, problems } = await openDashboard();
    const shown = calls.filter((c) => inRange(c));
    expect(await page.textContent("#total-cost")).toBe(usd2(shown.reduce((s, c) => s + c.cost, 0)));
    expect(await page.textContent("#total-requests")).toBe(String(shown.length));
    const chart = await page.evaluate(() => {
      const daily = (globalThis as unknown as { llmDashboard: { daily: { data: number[][]; root: HTMLElement } } }).llmDashboard.daily;
      const canvas = daily.root.querySelector("canvas")!;
      return { x: daily.data[0]!, y: daily.data[1]!, canvas: [canvas.width, canvas.height] };
    });
    expect(chart.x).toHaveLength(30);
    expect(utcDay(chart.x[0]! * 1000)).toBe(firstDay);
    expect(chart.y).toEqual(perDay(shown, chart.x));
    expect(chart.canvas[0]).toBeGreaterThan(300);
    // Hovering the right end of the plot shows the last day's figure under the chart.
    const plot = (await page.locator("#daily-chart .u-over").boundingBox())!;
    await page.mouse.move(plot.x + plot.width - 2, plot.y + plot.height / 2);
    const today = perDay(shown, chart.x).at(-1)!;
    await expect.poll(() => page.textContent(".hover")).toContain(`: ${today === 0 ? "$0" : usd2(today)}`);
    expect(await panelRows(page, "model")).toEqual(costBy(shown, (c) => c.model));
    expect(await panelRows(page, "user")).toEqual(costBy(shown, (c) => c.username));
    expect(await panelRows(page, "project")).toEqual(costBy(shown, (c) => c.project));
    expect(await panelRows(page, "caller")).toEqual(costBy(shown, (c) => c.callerName));
    expect(await panelRows(page, "service-tier")).toEqual(costBy(shown, (c) => c.serviceTier));
    expect(await page.inputValue("#tag-key")).toBe("feature");
    expect(await panelRows(page, "tag")).toEqual(costBy(shown, (c) => c.tags?.feature));
    // Another tag key, picked from those on the calls.
    expect(await page.$$eval("#tag-key option", (options) => options.map((o) => (o as HTMLOptionElement).value))).toEqual(["feature", "tenant"]);
    const before = await loads(page);
    await page.selectOption("#tag-key", "tenant");
    await loaded(page, before + 1);
    expect(await panelRows(page, "tag")).toEqual(costBy(shown, (c) => c.tags?.tenant));
    expect(new URL(page.url()).searchParams.get("tagKey")).toBe("tenant");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("drill-down: choosing a user filters the other views; removing the chip restores them", async () => {
    const { page, problems } = await openDashboard();
    const before = await loads(page);
    await page.click('.panel[data-by="user"] li[data-key="alice"] button');
    await loaded(page, before + 1);
    const alice = calls.filter((c) => inRange(c) && c.username === "alice");
    expect(await page.textContent("#filters")).toContain("user: alice");
    expect(new URL(page.url()).searchParams.get("user")).toBe("alice");
    expect(await page.textContent("#total-cost")).toBe(usd2(alice.reduce((s, c) => s + c.cost, 0)));
    expect(await panelRows(page, "model")).toEqual(costBy(alice, (c) => c.model));
    expect(await panelRows(page, "project")).toEqual(costBy(alice, (c) => c.project));
    expect(await panelRows(page, "tag")).toEqual(costBy(alice, (c) => c.tags?.feature));
    expect(await page.$$eval("#recent tr", (rows) => rows.length)).toBe(calls.filter((c) => c.username === "alice").length);

    // A second level: alice's calls of one model.
    const next = await loads(page);
    await page.click('.panel[data-by="model"] li[data-key="gpt-4o"] button');
    await loaded(page, next + 1);
    const both = alice.filter((c) => c.model === "gpt-4o");
    expect(await panelRows(page, "project")).toEqual(costBy(both, (c) => c.project));

    const again = await loads(page);
    await page.click('#filters .chip[data-dimension="user"]');
    await page.click('#filters .chip[data-dimension="model"]');
    await loaded(page, again + 2);
    await expect.poll(() => page.textContent("#total-cost")).toBe(usd2(calls.filter((c) => inRange(c)).reduce((s, c) => s + c.cost, 0)));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("service tier drill-down: choosing a tier filters the other views as tier=, and the address alone brings it back", async () => {
    const { page, problems } = await openDashboard();
    const before = await loads(page);
    await page.click('.panel[data-by="service-tier"] li[data-key="batch"] button');
    await loaded(page, before + 1);
    const batch = calls.filter((c) => inRange(c) && c.serviceTier === "batch");
    expect([await page.textContent('#filters .chip[data-dimension="tier"]'), new URL(page.url()).searchParams.get("tier")]).toEqual(["tier: batch ×", "batch"]);
    expect([await page.textContent("#total-cost"), await page.textContent("#total-requests")]).toEqual([usd2(total(batch)), String(batch.length)]);
    expect(await panelRows(page, "model")).toEqual(costBy(batch, (c) => c.model));
    const priority = await openDashboard("/?tier=priority");
    expect([await priority.page.textContent("#total-cost"), await panelRows(priority.page, "service-tier")]).toEqual([usd2(total(calls.filter((c) => c.serviceTier === "priority"))), [["priority", 2]]]);
    expect([...problems, ...priority.problems]).toEqual([]);
    await Promise.all([page.close(), priority.page.close()]);
  });

  it("tag drill-down: choosing a tag value filters every other view, combines, stays in the address; its chip removes it", async () => {
    const { page, problems } = await openDashboard();
    const tagButtons = () => page.$$eval('.panel[data-by="tag"] li[data-key]', (items) => items.map((li) => [(li as HTMLElement).dataset.key, li.querySelector("button") !== null]));
    // The API has no filter for a missing tag, so the untagged group is not a choice.
    expect(await tagButtons()).toEqual([["search", true], ["summarize", true], ["(none)", false]]);
    let before = await loads(page);
    await page.click('.panel[data-by="tag"] li[data-key="search"] button');
    await loaded(page, before + 1);
    const search = calls.filter((c) => inRange(c) && c.tags?.feature === "search");
    expect(await page.textContent('#filters .chip[data-tag="feature"]')).toBe("feature=search ×");
    expect(new URL(page.url()).searchParams.get("tag[feature]")).toBe("search");
    expect([await page.textContent("#total-cost"), await page.textContent("#total-requests")]).toEqual([usd2(total(search)), String(search.length)]);
    const [x, y] = await dailyData(page);
    expect(y).toEqual(perDay(search, x));
    expect(y.filter((cost) => cost > 0)).toHaveLength(2);
    expect(await panelRows(page, "model")).toEqual(costBy(search, (c) => c.model));
    expect(await panelRows(page, "user")).toEqual(costBy(search, (c) => c.username));
    expect(await tagButtons()).toEqual([["search", false]]);
    expect(await page.$$eval("#recent tr", (rows) => rows.length)).toBe(calls.filter((c) => c.tags?.feature === "search").length);
    // Limits are not filtered, as for the columns.
    expect(await page.$$eval("#limits li.limit", (items) => items.length)).toBe(2);

    // With a column filter too; the address alone brings the view back.
    before = await loads(page);
    await page.click('.panel[data-by="user"] li[data-key="alice"] button');
    await loaded(page, before + 1);
    const both = search.filter((c) => c.username === "alice");
    expect(await page.textContent("#total-cost")).toBe(usd2(total(both)));
    expect(await panelRows(page, "project")).toEqual(costBy(both, (c) => c.project));
    const reopened = await openDashboard(`/${new URL(page.url()).search}`);
    expect(await reopened.page.textContent("#total-cost")).toBe(usd2(total(both)));
    expect(await reopened.page.$$eval("#filters .chip", (chips) => chips.map((c) => c.textContent))).toEqual(["user: alice ×", "feature=search ×"]);
    expect(reopened.problems).toEqual([]);
    await reopened.page.close();
    // Two tag keys: calls carrying both.
    const twoTags = await openDashboard("/?tag%5Bfeature%5D=search&tag%5Btenant%5D=acme");
    expect(await twoTags.page.textContent("#total-cost")).toBe(usd2(total(search.filter((c) => c.tags?.tenant === "acme"))));
    expect(await twoTags.page.$$eval("#filters .chip", (chips) => chips.map((c) => c.textContent))).toEqual(["feature=search ×", "tenant=acme ×"]);
    await twoTags.page.close();

    before = await loads(page);
    await page.click('#filters .chip[data-tag="feature"]');
    await loaded(page, before + 1);
    const alice = calls.filter((c) => inRange(c) && c.username === "alice");
    expect(await page.textContent("#total-cost")).toBe(usd2(total(alice)));
    expect(new URL(page.url()).searchParams.has("tag[feature]")).toBe(false);
    expect(await page.$$eval("#filters .chip", (chips) => chips.map((c) => c.textContent))).toEqual(["user: alice ×"]);
    expect(await panelRows(page, "tag")).toEqual(costBy(alice, (c) => c.tags?.feature));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the date range picker narrows every view", async () => {
    const { page, problems } = await openDashboard();
    const since = utcDay(now - 2 * DAY);
    const before = await loads(page);
    await page.fill("#since", since);
    await loaded(page, before + 1);
    const shown = calls.filter((c) => inRange(c, since));
    expect(await page.evaluate(() => (globalThis as unknown as { llmDashboard: { daily: { data: number[][] } } }).llmDashboard.daily.data[0]!.length)).toBe(3);
    expect(await page.textContent("#total-cost")).toBe(usd2(shown.reduce((s, c) => s + c.cost, 0)));
    expect(await panelRows(page, "model")).toEqual(costBy(shown, (c) => c.model));
    expect(new URL(page.url()).searchParams.get("since")).toBe(since);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("limits show a bar per limit at the server's used ratio", async () => {
    const { page } = await openDashboard();
    const { limits } = (await (await fetch(`${open.url}/api/v1/limits`)).json()) as { limits: { id: number; usedRatio: number }[] };
    expect(limits).toHaveLength(2);
    const bars = await page.$$eval("#limits li.limit", (items) =>
      items.map((li) => ({ id: Number((li as HTMLElement).dataset.id), ratio: Number((li as HTMLElement).dataset.ratio), fill: (li.querySelector(".fill") as HTMLElement).getBoundingClientRect().width / (li.querySelector(".meter") as HTMLElement).clientWidth })),
    );
    expect(bars.map((b) => b.id).sort()).toEqual(limits.map((l) => l.id).sort());
    for (const limit of limits) {
      const bar = bars.find((b) => b.id === limit.id)!;
      expect(bar.ratio).toBeCloseTo(limit.usedRatio, 9);
      expect(bar.fill).toBeCloseTo(Math.min(limit.usedRatio, 1), 1);
    }
    expect(bars.some((b) => b.fill > 0)).toBe(true);
    const feet = await page.$$eval("#limits .limit-foot", (items) => items.map((f) => f.textContent!.split(" · ")[0]));
    expect(feet.sort()).toEqual(["cost per day", "requests per month"]);
    await page.close();
  });

  it("recent calls update live when another process tracks a call", async () => {
    const { page, problems } = await openDashboard();
    const firstRow = () => page.$eval("#recent tr", (row) => [...row.querySelectorAll("td")].map((td) => td.textContent));
    expect((await firstRow())[1]).toBe(calls[0]!.model);
    await writer.trackUsage({ model: "gpt-4.1-live", username: "erin", project: "support", promptTokens: 40, completionTokens: 2, cost: 0.125 });
    await expect.poll(firstRow, { timeout: 60_000, interval: 250 }).toEqual([expect.any(String), "gpt-4.1-live", "erin", "support", "42", "$0.125"]);
    expect(await page.$eval("#recent tr", (row) => row.className)).toBe("new");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a phone-size viewport shows everything without horizontal scrolling", async () => {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${open.url}/`);
    await loaded(page);
    const layout = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, inner: innerWidth, chart: document.querySelector("#daily-chart canvas")!.getBoundingClientRect().right }));
    expect(layout.scroll).toBeLessThanOrEqual(layout.inner);
    expect(layout.body).toBeLessThanOrEqual(layout.inner);
    expect(layout.chart).toBeLessThanOrEqual(layout.inner);
    expect(await page.isVisible("#limits li.limit")).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("with a token: the page asks for it, keeps it in the tab, and takes it from the fragment without sending it anywhere", async () => {
    const page = await context.newPage();
    const problems = watchProblems(page);
    const urls: string[] = [];
    page.on("request", (request) => urls.push(`${request.url()} ${request.headers().referer ?? ""}`));
    await page.goto(`${guarded.url}/`);
    await page.waitForSelector("#auth:not([hidden])");
    await page.fill("#token", "wrong");
    await page.click("#token-form button");
    await expect.poll(() => page.textContent("#auth-error")).toBe("The server refused this token.");
    await page.fill("#token", TOKEN);
    await page.click("#token-form button");
    await loaded(page);
    expect(await page.isHidden("#auth")).toBe(true);
    expect(await page.textContent("#total-requests")).toBe(String(calls.filter((c) => inRange(c)).length + 1));
    expect(await page.evaluate(() => sessionStorage.getItem("llm-accounting.token"))).toBe(TOKEN);

    const linked = await context.newPage();
    linked.on("request", (request) => urls.push(`${request.url()} ${request.headers().referer ?? ""}`));
    const linkedProblems = watchProblems(linked);
    await linked.goto(`${guarded.url}/#token=${TOKEN}`);
    await loaded(linked);
    expect(new URL(linked.url()).hash).toBe("");
    expect(await linked.evaluate(() => sessionStorage.getItem("llm-accounting.token"))).toBe(TOKEN);
    expect(urls.length).toBeGreaterThan(10);
    expect(urls.filter((u) => u.includes(TOKEN))).toEqual([]);
    // The refused token was the one console error expected (the 401 of its check).
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    expect(linkedProblems).toEqual([]);
    await Promise.all([page.close(), linked.close()]);
  });
});

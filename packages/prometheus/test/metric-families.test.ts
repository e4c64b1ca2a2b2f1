import { describe, expect, it } from "vitest";
import { EMPTY_TOTALS, ValidationError, type LimitStatus, type UsageLimit } from "@llm-accounting/core";
import { breakdownsFor, checkPort, metricsText, SCRAPE_RANGE, usedRatio } from "../src/index.js";
import { parsePrometheusText, valueOf } from "./prometheus-text.js";

const DAY = 86_400_000;
const limit = (overrides: Partial<UsageLimit>): UsageLimit => ({
  id: 1, scope: "GLOBAL", limitType: "requests", maxValue: 10, intervalUnit: "day", intervalValue: 1,
  model: null, username: null, callerName: null, projectName: null, createdAt: new Date(0), updatedAt: new Date(0), ...overrides,
});

describe("metric families (no store, no HTTP)", () => {
  it("writes one series per group, the null group with an empty label, and escapes names", async () => {
    const { body, contentType } = await metricsText({
      breakdowns: [{ dimension: "project", groups: [{ ...EMPTY_TOTALS, key: null, requests: 2, costNanos: 1_500_000_000n }, { ...EMPTY_TOTALS, key: 'a "b"\n\\c', requests: 1, promptTokens: 9 }] }],
      limits: [],
    });
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheusText(body);
    expect(valueOf(samples, "llm_accounting_project_requests_total", { project: "" })).toBe(2);
    expect(valueOf(samples, "llm_accounting_project_cost_usd_total", { project: "" })).toBe(1.5);
    expect(valueOf(samples, "llm_accounting_project_tokens_total", { project: 'a "b"\n\\c', kind: "input" })).toBe(9);
    expect(types.get("llm_accounting_project_cost_usd_total")).toBe("counter");
    expect(samples.some((s) => s.name.startsWith("llm_accounting_model_"))).toBe(false);
  });

  it("gives each limit its gauges, with +Inf for unlimited and a full ratio for a limit of 0", async () => {
    const status = (l: Partial<UsageLimit>, used: number, remaining: number, forecast: LimitStatus["forecast"] = null): LimitStatus => ({ limit: limit(l), used, remaining, resetAt: null, forecast });
    const { body } = await metricsText({
      breakdowns: [],
      limits: [
        status({ id: 7, scope: "USER", username: "ann", limitType: "cost", maxValue: 4 }, 1, 3, { burnRatePerHour: 0.5, projectedUsage: 6, limitReachedAt: new Date(1_800_000_000_000) }),
        status({ id: 8, maxValue: -1 }, 5, Infinity),
      ],
    });
    const { samples } = parsePrometheusText(body);
    expect(valueOf(samples, "llm_accounting_limit_used_ratio", { limit_id: "7", user: "ann", type: "cost", scope: "USER" })).toBe(0.25);
    expect(valueOf(samples, "llm_accounting_limit_max", { limit_id: "8" })).toBe(Infinity);
    expect(valueOf(samples, "llm_accounting_limit_projected", { limit_id: "7" })).toBe(6);
    expect(valueOf(samples, "llm_accounting_limit_burn_rate_per_hour", { limit_id: "7" })).toBe(0.5);
    expect(valueOf(samples, "llm_accounting_limit_reached_at_seconds", { limit_id: "7" })).toBe(1_800_000_000);
    expect(samples.some((x) => x.name === "llm_accounting_limit_projected" && x.labels.limit_id === "8")).toBe(false);
    expect(valueOf(samples, "llm_accounting_limit_remaining", { limit_id: "8" })).toBe(Infinity);
    expect([usedRatio(3, 0), usedRatio(3, -1), usedRatio(3, 6)]).toEqual([1, 0, 0.5]);
  });

  it("breaks down per model and project, adding user and caller only when asked", () => {
    expect(breakdownsFor({})).toEqual(["model", "project"]);
    expect(breakdownsFor({ perUser: true, perCaller: true })).toEqual(["model", "project", "username", "callerName"]);
    expect(() => breakdownsFor({ perUser: "yes" as unknown as boolean })).toThrow(/^perUser must be true or false/);
  });

  it("sums a range of whole UTC days whose next day is still a 4-digit year (so stores read rollups only)", () => {
    expect(Math.abs(SCRAPE_RANGE.start.getTime() % DAY)).toBe(0);
    expect((SCRAPE_RANGE.end.getTime() + 1) % DAY).toBe(0);
    expect(new Date(SCRAPE_RANGE.end.getTime() + 1).toISOString()).toMatch(/^\d{4}-/);
  });

  it("checks ports, naming the field", () => {
    expect(checkPort(0)).toBe(0);
    for (const bad of [-1, 65_536, 1.5, "80"]) expect(() => checkPort(bad)).toThrow(ValidationError);
    expect(() => checkPort(70_000)).toThrow("port must be an integer from 0 to 65535 (got 70000)");
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, QuotaExceededError, UsageBuffer, ValidationError } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { SpanKind } from "@opentelemetry/api";
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { otelObserver } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-otel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An SDK meter and tracer that keep what they export in memory. */
function telemetry() {
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return {
    meter: meterProvider.getMeter("test"),
    tracer: tracerProvider.getTracer("test"),
    spans,
    /** The token histogram's points as `provider model type -> [count, sum]`, and its bucket boundaries. */
    async tokenPoints() {
      await reader.forceFlush();
      const found = (metrics.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? []).filter((m) => m.descriptor.name === "gen_ai.client.token.usage") as HistogramMetricData[];
      const points = new Map<string, [number, number]>();
      // The SDK exports no metric before its first point.
      if (found.length === 0) return { points, seconds: new Map<string, [number, number]>(), boundaries: [] };
      expect(found).toHaveLength(1);
      expect([found[0]!.descriptor.unit, found[0]!.dataPointType]).toEqual(["{token}", DataPointType.HISTOGRAM]);
      for (const p of found[0]!.dataPoints) {
        const a = p.attributes;
        expect(a["gen_ai.operation.name"]).toBe("chat");
        points.set(`${a["gen_ai.provider.name"]} ${a["gen_ai.request.model"]} ${a["gen_ai.token.type"]}`, [p.value.count, p.value.sum!]);
      }
      const durations = (metrics.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? []).filter((m) => m.descriptor.name === "gen_ai.client.operation.duration") as HistogramMetricData[];
      const seconds = new Map(durations.flatMap((m) => m.dataPoints.map((p) => [String(p.attributes["gen_ai.request.model"]), [p.value.count, p.value.sum!] as [number, number]])));
      return { points, seconds, boundaries: found[0]!.dataPoints[0]!.value.buckets.boundaries };
    },
  };
}

describe("otelObserver on a real SQLite store", () => {
  it("records every stored call (tracked, batched, guarded) as GenAI token usage and a CLIENT span; a denied call records nothing", async () => {
    const t = telemetry();
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "facade.sqlite") }), observers: [otelObserver({ meter: t.meter, tracer: t.tracer })] });
    try {
      const stamped = new Date(Date.now() - 60_000);
      await accounting.trackUsage({ model: "claude-sonnet-4-5", provider: "anthropic", promptTokens: 1300, cachedTokens: 1000, cacheWriteTokens: 200, completionTokens: 40, reasoningTokens: 10, cost: 0.0125, executionTime: 1.5, timestamp: stamped, project: "support", username: "alice", callerName: "chat", session: "s-1" });
      await accounting.trackUsageBatch([{ model: "gpt-4o", provider: "openai", promptTokens: 100, completionTokens: 20, cost: 0.001 }, { model: "gpt-4o", promptTokens: 7, completionTokens: 3, cost: 0 }]);
      await accounting.guard({ model: "gemini-2.5-pro", provider: "google", promptTokens: 50, cost: 0.01 }, async () => "answer", () => ({ provider: "google", promptTokens: 50, completionTokens: 5, cost: 0.002 }));
      await accounting.setUsageLimit({ scope: "MODEL", model: "denied", username: null, callerName: null, projectName: null, limitType: "requests", maxValue: 0, intervalUnit: "day", intervalValue: 1 });
      await expect(accounting.trackUsage({ model: "denied", promptTokens: 1, cost: 0 }, { enforceLimits: true })).rejects.toThrow(QuotaExceededError);

      const { points, seconds, boundaries } = await t.tokenPoints();
      expect(Object.fromEntries(points)).toEqual({
        "anthropic claude-sonnet-4-5 input": [1, 1300],
        "anthropic claude-sonnet-4-5 output": [1, 40],
        "openai gpt-4o input": [1, 100],
        "openai gpt-4o output": [1, 20],
        "unknown gpt-4o input": [1, 7],
        "unknown gpt-4o output": [1, 3],
        "gcp.gemini gemini-2.5-pro input": [1, 50],
        "gcp.gemini gemini-2.5-pro output": [1, 5],
      });
      // Durations only for calls that recorded one.
      expect(Object.fromEntries(seconds)).toEqual({ "claude-sonnet-4-5": [1, 1.5] });
      expect(boundaries).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);

      const spans = t.spans.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(["chat claude-sonnet-4-5", "chat gpt-4o", "chat gpt-4o", "chat gemini-2.5-pro"]);
      expect(spans.every((s) => s.kind === SpanKind.CLIENT)).toBe(true);
      const claude = spans[0]!;
      expect(claude.attributes).toEqual({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.input_tokens": 1300,
        "gen_ai.usage.output_tokens": 40,
        "gen_ai.usage.cache_read.input_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 200,
        "gen_ai.usage.reasoning.output_tokens": 10,
        "gen_ai.usage.cost": 0.0125,
        "gen_ai.conversation.id": "s-1",
        "llm_accounting.cost_source": "caller",
        "llm_accounting.project": "support",
        "llm_accounting.user": "alice",
        "llm_accounting.caller": "chat",
      });
      // The span covers the call: it ends at the record's timestamp and lasts its execution time.
      const ms = (hr: [number, number]) => hr[0] * 1000 + hr[1] / 1e6;
      expect(ms(claude.endTime)).toBeCloseTo(stamped.getTime(), 3);
      expect(ms(claude.duration)).toBeCloseTo(1500, 3);
      expect(spans[3]!.attributes["gen_ai.usage.cost"]).toBe(0.002);
    } finally {
      await accounting.close();
    }
  });

  it("attached to a UsageBuffer, records each call once its batch is stored", async () => {
    const t = telemetry();
    const accounting = new Accounting({ store: new SqliteStore({ file: join(dir, "buffer.sqlite") }) });
    const buffer = new UsageBuffer(accounting, { flushIntervalMs: 3_600_000, installExitHooks: false });
    buffer.observe(otelObserver({ meter: t.meter }));
    try {
      for (let i = 1; i <= 3; i++) buffer.trackUsage({ model: "gpt-4o-mini", provider: "openai", promptTokens: 10 * i, completionTokens: i, cost: 0.0001 });
      expect((await t.tokenPoints()).points.size).toBe(0);
      await buffer.flush();
      expect(Object.fromEntries((await t.tokenPoints()).points)).toEqual({ "openai gpt-4o-mini input": [3, 60], "openai gpt-4o-mini output": [3, 6] });
      expect((await accounting.getPeriodStats(new Date(0), new Date())).requests).toBe(3);
    } finally {
      await buffer.close();
      await accounting.close();
    }
  });

  it("refuses options without a meter or tracer, and a blank operation name, naming the field", () => {
    expect(() => otelObserver({})).toThrow(ValidationError);
    expect(() => otelObserver({})).toThrow("meter or tracer must be given");
    expect(() => otelObserver({ tracer: telemetry().tracer, operationName: " " })).toThrow(/^operationName must be a non-empty string/);
  });
});

import { ValidationError, type NewUsageRecord, type UsageObserver } from "@llm-accounting/core";
import { SpanKind, type Histogram, type Meter, type Tracer } from "@opentelemetry/api";
import { callAttributes, spanAttributes, type CallIdentity } from "./genai-attributes.js";
import { genAiProviderName } from "./provider-name.js";

/** The GenAI semantic conventions release these names follow (the GenAI part is still "Development"). */
export const SEMCONV_VERSION = "1.41.0";

/** What to record tracked calls with, and the values records do not hold. */
export interface OtelObserverOptions {
  /**
   * Records `gen_ai.client.token.usage` (input and output points per call) and
   * `gen_ai.client.operation.duration` (calls with an execution time).
   */
  readonly meter?: Meter;
  /** Starts and ends one CLIENT span per call, timed from its timestamp and execution time. */
  readonly tracer?: Tracer;
  /** `gen_ai.operation.name` (records do not say). Default `chat`. */
  readonly operationName?: string;
  /** `gen_ai.provider.name` for records without a provider. Default `unknown`. */
  readonly unknownProviderName?: string;
}

// The conventions' bucket advice: token counts in powers of 4 from 1 to 4^13, durations in
// seconds doubling from 0.01 to 81.92.
const TOKEN_BUCKETS = Array.from({ length: 14 }, (_, i) => 4 ** i);
const DURATION_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.01 * 2 ** i);

/**
 * A usage observer that records each stored call as the OpenTelemetry GenAI semantic conventions
 * (v1.41.0) describe. Attach it beside the store: `accounting.observe(otelObserver({ meter, tracer }))`
 * or `new UsageBuffer(accounting, { observers: [otelObserver({ meter })] })`.
 */
export function otelObserver(options: OtelObserverOptions): UsageObserver {
  if (!options?.meter && !options?.tracer) throw new ValidationError("meter", "or tracer must be given (an OpenTelemetry Meter or Tracer)");
  const operationName = nonEmpty(options.operationName ?? "chat", "operationName");
  const unknownProvider = nonEmpty(options.unknownProviderName ?? "unknown", "unknownProviderName");
  const tokens: Histogram | undefined = options.meter?.createHistogram("gen_ai.client.token.usage", {
    description: "Number of input and output tokens used.",
    unit: "{token}",
    advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
  });
  const duration: Histogram | undefined = options.meter?.createHistogram("gen_ai.client.operation.duration", {
    description: "GenAI operation duration.",
    unit: "s",
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  const tracer = options.tracer;
  return {
    onRecorded(records: readonly NewUsageRecord[]) {
      for (const record of records) {
        const identity: CallIdentity = { operationName, providerName: genAiProviderName(record.provider, unknownProvider) };
        if (tokens) {
          const attributes = callAttributes(record, identity);
          tokens.record(record.promptTokens, { ...attributes, "gen_ai.token.type": "input" });
          tokens.record(record.completionTokens, { ...attributes, "gen_ai.token.type": "output" });
          // 0 means the call's duration was not recorded (e.g. `llm-accounting track` without --execution-time).
          if (record.executionTime > 0) duration!.record(record.executionTime, attributes);
        }
        if (tracer) {
          const end = record.timestamp.getTime();
          const span = tracer.startSpan(`${operationName} ${record.model}`, { kind: SpanKind.CLIENT, startTime: end - record.executionTime * 1000, attributes: spanAttributes(record, identity) });
          span.end(end);
        }
      }
    },
  };
}

function nonEmpty(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(field, `must be a non-empty string (got ${JSON.stringify(value)})`);
  return value;
}

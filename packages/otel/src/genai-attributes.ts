import { nanosToUsd, type NewUsageRecord } from "@llm-accounting/core";
import type { Attributes } from "@opentelemetry/api";

/** What every signal of a call carries: which operation, which provider, which model. */
export interface CallIdentity {
  readonly operationName: string;
  readonly providerName: string;
}

/** Attributes shared by the token metric's points and the span (conventions' names). */
export function callAttributes(record: NewUsageRecord, identity: CallIdentity): Attributes {
  return {
    "gen_ai.operation.name": identity.operationName,
    "gen_ai.provider.name": identity.providerName,
    "gen_ai.request.model": record.model,
  };
}

/**
 * A call's span attributes. Token counts follow the conventions' containment (cache reads and
 * writes inside `input_tokens`, reasoning inside `output_tokens`), which is how records hold them.
 * `gen_ai.usage.cost` (USD) is ours: the conventions define no cost attribute. Names that are
 * ours alone live under `llm_accounting.`.
 */
export function spanAttributes(record: NewUsageRecord, identity: CallIdentity): Attributes {
  const attributes: Attributes = {
    ...callAttributes(record, identity),
    "gen_ai.usage.input_tokens": record.promptTokens,
    "gen_ai.usage.output_tokens": record.completionTokens,
    "gen_ai.usage.cache_read.input_tokens": record.cachedTokens,
    "gen_ai.usage.cache_creation.input_tokens": record.cacheWriteTokens,
    "gen_ai.usage.reasoning.output_tokens": record.reasoningTokens,
    "gen_ai.usage.cost": nanosToUsd(record.costNanos),
  };
  if (record.session !== null) attributes["gen_ai.conversation.id"] = record.session;
  if (record.costSource !== null) attributes["llm_accounting.cost_source"] = record.costSource;
  if (record.project !== null) attributes["llm_accounting.project"] = record.project;
  if (record.username !== null) attributes["llm_accounting.user"] = record.username;
  if (record.callerName !== null) attributes["llm_accounting.caller"] = record.callerName;
  return attributes;
}

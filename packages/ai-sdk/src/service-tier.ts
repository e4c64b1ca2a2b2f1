import { isObject, serviceTierOf } from "@llm-accounting/sdk-kit";

/** Where a finished AI SDK call may name the service tier that served it. */
export interface TierSources {
  /** The provider family (`openai`, `anthropic`), which keys the provider metadata. */
  readonly family: string | null;
  /** The call's `providerMetadata` (OpenAI's Responses API puts `serviceTier` there). */
  readonly providerMetadata?: unknown;
  /** The provider's own usage object (Anthropic's carries `service_tier`). */
  readonly rawUsage?: unknown;
  /** The raw response body of a non-streamed call (OpenAI's chat completion carries `service_tier`). */
  readonly responseBody?: unknown;
}

/**
 * The tier the provider says served the call, as llm-accounting records it (`default` as
 * `standard`); undefined when the response does not say. The request's own option is not used:
 * the AI SDK drops a tier the model does not support before sending, so only the answer is sure.
 */
export function serviceTierOfCall({ family, providerMetadata, rawUsage, responseBody }: TierSources): string | undefined {
  const metadata = family !== null && isObject(providerMetadata) ? providerMetadata[family] : undefined;
  return (
    (isObject(metadata) ? serviceTierOf(metadata.serviceTier) : undefined) ??
    (isObject(rawUsage) ? serviceTierOf(rawUsage.service_tier) : undefined) ??
    (isObject(responseBody) ? serviceTierOf(responseBody.service_tier) : undefined)
  );
}

import type { Transformer } from "node:stream/web";
import type { CallRecorder } from "./call-recorder.js";
import type { StreamPart } from "./model-types.js";

// Node calls `cancel` (since 20.14) when the consumer cancels or the source errors; @types/node
// does not declare it yet.
type TapTransformer = Transformer<StreamPart, StreamPart> & { cancel?: (reason: unknown) => Promise<void> };

/**
 * Passes every part of a model stream through untouched and records the call when its `finish`
 * part (which carries the usage) goes by. The stream closes only once the usage is recorded. A
 * stream that ends without `finish`, errors or is cancelled was still paid for: it is recorded
 * with tokens estimated locally from the prompt and the output generated so far (text, reasoning
 * and tool-call arguments), marked estimated. The call is recorded once, whichever comes first.
 */
export function tapUsage(stream: ReadableStream<StreamPart>, call: CallRecorder): ReadableStream<StreamPart> {
  let responseModelId: string | undefined;
  const generated: string[] = [];
  const generatedText = () => generated.join("");
  const cut = () => call.record(undefined, responseModelId, generatedText);
  const transformer: TapTransformer = {
    async transform(part, controller) {
      controller.enqueue(part);
      if (part.type === "response-metadata" && part.modelId) responseModelId = part.modelId;
      else if (part.type === "text-delta" || part.type === "reasoning-delta" || part.type === "tool-input-delta") generated.push(part.delta);
      else if (part.type === "finish") await call.record(part.usage, responseModelId, generatedText, { providerMetadata: part.providerMetadata });
    },
    flush: cut,
    cancel: cut,
  };
  return stream.pipeThrough(new TransformStream(transformer));
}

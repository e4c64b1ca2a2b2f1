import type { ApiPromiseLike } from "./api-promise.js";
import { observeStream, type StreamObserver } from "./observe-stream.js";
import type { SdkMethod } from "./patched-client.js";
import type { CallOutcome, CallRequest } from "./record.js";
import { isObject, type JsonObject } from "./shapes.js";
import { TrackedCall } from "./tracked-call.js";
import type { UsageTracker } from "./usage-tracker.js";

/** What one SDK endpoint (chat completions, responses, messages) tells a tracked call. */
export interface TrackedEndpoint {
  /** The call as the request states it: model, prompt, instructions, output cap. */
  request(body: JsonObject): CallRequest;
  /** What a whole (non-streaming) result reports. */
  outcome(result: unknown): CallOutcome;
  /** For a streaming request: the body to send (it may ask for usage) and the observer of its events. */
  stream(body: JsonObject): { readonly sent: unknown; readonly observer: (call: TrackedCall) => StreamObserver<unknown> };
}

/** A `create` method that records every call of `original`, streaming or not, as `endpoint` reads it. */
export function trackedCreate(original: SdkMethod, tracker: UsageTracker, endpoint: TrackedEndpoint): SdkMethod {
  const send = (body: unknown, options: unknown) => original(body, options) as ApiPromiseLike<unknown>;
  return (body, options) => {
    if (!isObject(body)) return original(body, options);
    const call = new TrackedCall(tracker, endpoint.request(body));
    if (body.stream !== true) return call.run(() => send(body, options), (result) => call.finished(endpoint.outcome(result)));
    const { sent, observer } = endpoint.stream(body);
    return call.run(
      () => send(sent, options),
      (stream) => observeStream(stream as AsyncIterable<unknown>, observer(call)),
    );
  };
}

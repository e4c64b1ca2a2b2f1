export { otelObserver, SEMCONV_VERSION, type OtelObserverOptions } from "./otel-observer.js";
export { callAttributes, spanAttributes, type CallIdentity } from "./genai-attributes.js";
export { genAiProviderName } from "./provider-name.js";

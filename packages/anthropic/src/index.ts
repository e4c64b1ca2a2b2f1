/** Records every Anthropic SDK call with llm-accounting; see README.md. */
export { flushUsage, trackAnthropic, type TrackAnthropicOptions } from "./track-anthropic.js";
export type { TrackingOptions } from "@llm-accounting/sdk-kit";

/** Records every Anthropic SDK call with llm-accounting; see README.md. */
export { flushUsage, trackAnthropic, type TrackAnthropicOptions } from "./track-anthropic.js";
export { tracked, type TrackedFunction, type TrackedOptions, type TrackedUsage, type TrackingOptions } from "@llm-accounting/sdk-kit";

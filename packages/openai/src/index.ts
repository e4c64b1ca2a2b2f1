/** Records every OpenAI SDK call with llm-accounting; see README.md. */
export { flushUsage, trackOpenAI, type TrackOpenAIOptions } from "./track-openai.js";
export { tracked, type TrackedFunction, type TrackedOptions, type TrackedUsage, type TrackingOptions } from "@llm-accounting/sdk-kit";

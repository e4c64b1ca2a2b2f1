export { UsageBuffer, type UsageBatchWriter } from "./usage-buffer.js";
export type { BufferErrorEvent, BufferErrorStage, BufferFullPolicy, UsageBufferOptions, UsageBufferStats } from "./buffer-options.js";

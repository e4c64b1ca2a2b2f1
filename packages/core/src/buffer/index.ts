export { UsageBuffer } from "./usage-buffer.js";
export type { UsageBatchWriter } from "./batch-writer.js";
export type { BufferErrorEvent, BufferErrorStage, BufferFullPolicy, UsageBufferOptions, UsageBufferStats } from "./buffer-options.js";

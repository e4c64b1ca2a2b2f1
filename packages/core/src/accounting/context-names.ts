import { currentUsageContext } from "../context/usage-context.js";
import type { UsageInput } from "../usage/usage-input.js";
import { mergeTags } from "../usage/usage-tags.js";
import type { QuotaCheckInput } from "./quota-inputs.js";

/** The input with the async context's names filled in where the call gave none. */
export function withContext(input: UsageInput): UsageInput {
  const context = currentUsageContext();
  if (!context || input === null || typeof input !== "object") return input;
  return {
    ...input,
    username: input.username ?? context.username,
    project: input.project ?? context.project,
    callerName: input.callerName ?? context.callerName,
    session: input.session ?? context.session,
    tags: mergeTags(context.tags, input.tags),
  };
}

/** The check input with the async context's names filled in where the call gave none. */
export function withQuotaContext<T extends QuotaCheckInput>(input: T): T {
  const context = currentUsageContext();
  if (!context || input === null || typeof input !== "object") return input;
  return {
    ...input,
    username: input.username ?? context.username,
    projectName: input.projectName ?? context.project,
    callerName: input.callerName ?? context.callerName,
    session: input.session ?? context.session,
  };
}

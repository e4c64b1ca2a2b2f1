import { UsageError } from "../errors.js";

/** Token counts given by hand: the parts and the totals they belong to. */
export interface TokenParts {
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly cachedTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly cacheWrite1hTokens?: number;
  readonly reasoningTokens?: number;
}

/**
 * Refuses token counts that contradict the token semantics the README states: cache reads and writes
 * are part of the prompt tokens, reasoning part of the completion tokens. `promptFlag` is how the
 * command spells its prompt-token flag (`--prompt-tokens` for track, `--input-tokens` for check).
 * (SDK wrappers are not checked this way: a provider's odd numbers must not cost a recorded call.)
 */
export function checkTokenParts(parts: TokenParts, promptFlag = "--prompt-tokens"): void {
  const cache = (parts.cachedTokens ?? 0) + (parts.cacheWriteTokens ?? 0);
  if (cache > (parts.promptTokens ?? 0)) {
    throw new UsageError(`--cached-tokens plus --cache-write-tokens (${cache}) must not exceed ${promptFlag} (${parts.promptTokens ?? 0}): they are part of it`);
  }
  if ((parts.cacheWrite1hTokens ?? 0) > (parts.cacheWriteTokens ?? 0)) {
    throw new UsageError(`--cache-write-1h-tokens (${parts.cacheWrite1hTokens}) must not exceed --cache-write-tokens (${parts.cacheWriteTokens ?? 0}): they are part of it`);
  }
  if ((parts.reasoningTokens ?? 0) > (parts.completionTokens ?? 0)) {
    throw new UsageError(`--reasoning-tokens (${parts.reasoningTokens}) must not exceed --completion-tokens (${parts.completionTokens ?? 0}): they are part of it`);
  }
}

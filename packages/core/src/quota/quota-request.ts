/** One model call about to happen, as quota checks see it. */
export interface QuotaRequest {
  readonly model: string;
  readonly username: string | null;
  readonly callerName: string | null;
  readonly projectName: string | null;
  /** Input (prompt) tokens the call will use, if known; 0 otherwise. */
  readonly inputTokens: number;
  /** Output (completion) tokens, if known; 0 otherwise. */
  readonly completionTokens: number;
  /** Cost in nano-dollars, if known; 0n otherwise. */
  readonly costNanos: bigint;
  /** The call's tags, merged as recording merges them (facade, context, call); TAG limits match them. */
  readonly tags?: Readonly<Record<string, string>> | null;
}


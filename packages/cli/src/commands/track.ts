import { nanosToUsd, visibleText, type Accounting, type UsageInput } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { RESULT_FORMATS } from "../format/output.js";
import { nonNegativeInteger, nonNegativeNumber, timestamp } from "../context/parse-values.js";
import { tagFlags } from "../context/tag-flags.js";
import { checkTokenParts } from "../context/token-parts.js";
import { toJson } from "../format/json.js";
import { println, type CliIo } from "../io.js";
import { reportDenial } from "./check.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `track` arguments. */
export interface TrackArgs extends GlobalArgs {
  model: string;
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  localPromptTokens?: number;
  localCompletionTokens?: number;
  localTotalTokens?: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  cost?: number;
  costSource?: "caller" | "provider";
  provider?: string;
  serviceTier?: string;
  executionTime?: number;
  timestamp?: Date;
  callerName?: string;
  username?: string;
  project?: string;
  session?: string;
  /** `--tag key=value`, repeatable. */
  tag?: Record<string, string>;
  /** The token counts are partly estimates (`usageEstimated`). */
  estimated: boolean;
  format: "text" | "json";
  enforceLimits: boolean;
}

/** Records one usage entry and reports it; warns on stderr when the call had no price. */
export async function handleTrack(accounting: Accounting, args: TrackArgs, io: CliIo): Promise<void> {
  checkTokenParts(args);
  const input: UsageInput = {
    model: args.model,
    promptTokens: args.promptTokens,
    completionTokens: args.completionTokens,
    totalTokens: args.totalTokens,
    localPromptTokens: args.localPromptTokens,
    localCompletionTokens: args.localCompletionTokens,
    localTotalTokens: args.localTotalTokens,
    cachedTokens: args.cachedTokens,
    cacheWriteTokens: args.cacheWriteTokens,
    cacheWrite1hTokens: args.cacheWrite1hTokens,
    reasoningTokens: args.reasoningTokens,
    cost: args.cost,
    costSource: args.costSource,
    provider: args.provider,
    serviceTier: args.serviceTier,
    executionTime: args.executionTime,
    timestamp: args.timestamp,
    callerName: args.callerName,
    username: args.username,
    project: args.project,
    session: args.session,
    tags: args.tag,
    estimated: args.estimated,
  };
  const record = await accounting.trackUsage(input, { enforceLimits: args.enforceLimits });
  // The same shape as `tail --format json`: exact nanos and USD.
  if (args.format === "json") println(io, toJson({ ...record, cost: nanosToUsd(record.costNanos) }));
  else println(io, "Usage entry tracked successfully");
  if (record.costSource === "unpriced") {
    io.stderr.write(`Warning: no price for model '${visibleText(record.model)}'; recorded with cost 0 and marked unpriced (give --cost, or add one with "prices set")\n`);
  }
}

const tokenFlags = [
  ["prompt-tokens", "Every input token, cache reads and writes included"],
  ["completion-tokens", "Every output token, reasoning included"],
  ["total-tokens", "Total tokens (default: prompt + completion)"],
  ["local-prompt-tokens", "Locally counted prompt tokens"],
  ["local-completion-tokens", "Locally counted completion tokens"],
  ["local-total-tokens", "Locally counted total tokens"],
  ["cached-tokens", "Input tokens read from the prompt cache (part of --prompt-tokens)"],
  ["cache-write-tokens", "Input tokens written to the prompt cache (part of --prompt-tokens)"],
  ["cache-write-1h-tokens", "Of --cache-write-tokens, those kept for one hour (priced at the 1-hour rate; the rest are 5-minute writes)"],
  ["reasoning-tokens", "Reasoning tokens (part of --completion-tokens)"],
] as const;

/** `llm-accounting track`. */
export function trackCommand(ctx: CommandContext): CommandModule<GlobalArgs, TrackArgs> {
  return {
    command: "track",
    describe: "Record one model call",
    builder: (yargs: Argv<GlobalArgs>) => {
      let y = yargs.option("model", { type: "string", demandOption: true, describe: "Model name" });
      for (const [flag, describe] of tokenFlags) y = y.option(flag, { type: "string", number: true, describe, coerce: nonNegativeInteger(flag) });
      return y
        .option("cost", { type: "string", number: true, describe: "Cost in USD (default: priced from the model's price; unpriced models record 0)", coerce: nonNegativeNumber("cost") })
        .option("cost-source", { type: "string", choices: ["caller", "provider"] as const, describe: "Who stated --cost: caller (default) or provider (the figure it billed; reprice keeps it)" })
        .option("provider", { type: "string", describe: "Provider that served the call (openai, anthropic, ...): helps pick the price" })
        .option("service-tier", { type: "string", describe: "Service tier the call ran at: standard, batch, flex, priority... (batch and flex are priced at half for OpenAI; batch for Anthropic)" })
        .option("execution-time", { type: "string", number: true, describe: "Call duration in seconds (default 0)", coerce: nonNegativeNumber("execution-time") })
        .option("timestamp", { type: "string", describe: 'When the call happened: "YYYY-MM-DD HH:MM:SS" (UTC) or ISO-8601; default now', coerce: timestamp("timestamp") })
        .option("caller-name", { type: "string", describe: "Calling app (default --app-name)" })
        .option("username", { type: "string", describe: "User (default --user-name)" })
        .option("project", { type: "string", describe: "Project (default --project-name)" })
        .option("session", { type: "string", describe: "Session id" })
        .option("tag", { type: "string", array: true, describe: "A tag of the call: key=value (repeat for several; keys: letters, digits, _ . -)", coerce: tagFlags("tag") })
        .option("estimated", { type: "boolean", default: false, describe: "The token counts are partly estimates (a stream cut short, counted locally)" })
        .option("enforce-limits", { type: "boolean", default: false, describe: "Record only if the usage limits allow it, atomically; exit 3 otherwise" })
        .option("format", formatOption(RESULT_FORMATS, "text")) as unknown as Argv<TrackArgs>;
    },
    handler: (args) =>
      runHandler(ctx, () =>
        withAccounting(ctx, args, (accounting) => handleTrack(accounting, args, ctx.io), { pricing: args.cost === undefined }).catch((error: unknown) => reportDenial(ctx, error, args.format)),
      ),
  };
}

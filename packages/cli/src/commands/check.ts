import { QuotaExceededError, usageForecastJson, visibleText, type Accounting, type QuotaCheckInput, type QuotaDecision, type RemainingLimit } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { formatOption } from "../context/format-option.js";
import { RESULT_FORMATS } from "../format/output.js";
import { nonNegativeInteger, nonNegativeNumber } from "../context/parse-values.js";
import { checkTokenParts } from "../context/token-parts.js";
import { tagFlags } from "../context/tag-flags.js";
import { EXIT } from "../errors.js";
import { toJson } from "../format/json.js";
import { println, type CliIo } from "../io.js";
import { DeferredPricer } from "../context/open-accounting.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

/** Parsed `check` arguments. */
export interface CheckArgs extends GlobalArgs {
  model: string;
  username?: string;
  callerName?: string;
  project?: string;
  session?: string;
  inputTokens?: number;
  completionTokens?: number;
  cost?: number;
  provider?: string;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  serviceTier?: string;
  allowUnpriced?: boolean;
  /** `--tag key=value`, repeatable: the call's tags, which TAG limits match. */
  tag?: Record<string, string>;
  format: "text" | "json";
}

/**
 * The quota request `check` describes: only the names its flags give. The global defaults
 * (`--user-name` or $USER, `--app-name`, `--project-name`) are the facade's, which core applies
 * once, as for `track` (see `resolveCallNames`). Without `--cost`, core prices the tokens exactly
 * as `track` would record them.
 */
export function checkInput(args: CheckArgs): QuotaCheckInput {
  return {
    model: args.model,
    username: args.username ?? null,
    callerName: args.callerName ?? null,
    project: args.project ?? null,
    session: args.session ?? null,
    promptTokens: args.inputTokens ?? 0,
    completionTokens: args.completionTokens ?? 0,
    cachedTokens: args.cachedTokens ?? 0,
    cacheWriteTokens: args.cacheWriteTokens ?? 0,
    cacheWrite1hTokens: args.cacheWrite1hTokens ?? 0,
    provider: args.provider ?? null,
    serviceTier: args.serviceTier ?? null,
    allowUnpriced: args.allowUnpriced ?? false,
    ...(args.tag && { tags: args.tag }),
    ...(args.cost !== undefined && { cost: args.cost }),
  };
}

/** JSON shape of a remaining limit (Infinity does not survive JSON, so unlimited is explicit). */
const remainingJson = ({ limit, remaining, forecast }: RemainingLimit) => ({
  id: limit.id,
  scope: limit.scope,
  limitType: limit.limitType,
  interval: `${limit.intervalValue} ${limit.intervalUnit}`,
  unlimited: remaining === Number.POSITIVE_INFINITY,
  remaining: remaining === Number.POSITIVE_INFINITY ? null : remaining,
  forecast: forecast ? usageForecastJson(forecast) : null,
});

/** Prints a quota decision; `remaining` only for JSON. */
export function printDecision(io: CliIo, decision: QuotaDecision, format: "text" | "json", remaining: readonly RemainingLimit[] = []): void {
  if (format === "json") {
    println(io, toJson({ allowed: decision.allowed, reason: decision.reason, retryAfterSeconds: decision.retryAfterSeconds, remaining: remaining.map(remainingJson) }));
  } else if (decision.allowed) {
    println(io, "Allowed");
  } else {
    println(io, `Denied: ${visibleText(decision.reason ?? "")}`);
    if (decision.retryAfterSeconds !== null) println(io, `Retry after: ${decision.retryAfterSeconds}s`);
    else println(io, "Retrying will not help: this request alone exceeds the limit.");
  }
}

/** Might the check need the pricer? Only when it names tokens and no cost; even then the catalog loads only if a cost limit applies. */
const pricesTokens = (args: CheckArgs): boolean => args.cost === undefined && ((args.inputTokens ?? 0) > 0 || (args.completionTokens ?? 0) > 0);

/** Checks whether a call would be allowed; exit code 3 when it would not. Records nothing but a rejection. */
export async function handleCheck(accounting: Accounting, args: CheckArgs, io: CliIo): Promise<QuotaDecision> {
  // The same limits as track: a check must not pass counts that the recording would refuse.
  checkTokenParts({ promptTokens: args.inputTokens, completionTokens: args.completionTokens, cachedTokens: args.cachedTokens, cacheWriteTokens: args.cacheWriteTokens, cacheWrite1hTokens: args.cacheWrite1hTokens }, "--input-tokens");
  const input = checkInput(args);
  const decision = await accounting.checkQuota(input);
  const remaining = args.format === "json" ? await accounting.getRemainingLimits(input) : [];
  printDecision(io, decision, args.format, remaining);
  return decision;
}

/** `llm-accounting check`. */
export function checkCommand(ctx: CommandContext): CommandModule<GlobalArgs, CheckArgs> {
  return {
    command: "check",
    describe: "Check a call against the usage limits: exit 0 allowed, 3 denied",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("model", { type: "string", demandOption: true, describe: "Model to call" })
        .option("username", { type: "string", describe: "User (default --user-name)" })
        .option("caller-name", { type: "string", describe: "Caller (default --app-name)" })
        .option("project", { type: "string", describe: "Project (default --project-name)" })
        .option("session", { type: "string", describe: "Session id; a denial is recorded against it" })
        .option("input-tokens", { alias: "prompt-tokens", type: "string", number: true, describe: "Input tokens the call will use", coerce: nonNegativeInteger("input-tokens") })
        .option("completion-tokens", { type: "string", number: true, describe: "Output tokens the call will use", coerce: nonNegativeInteger("completion-tokens") })
        .option("cost", { type: "string", number: true, describe: "Cost of the call in USD (default: the tokens priced as track would)", coerce: nonNegativeNumber("cost") })
        .option("provider", { type: "string", describe: "Provider that will serve the call: helps pick the price" })
        .option("cached-tokens", { type: "string", number: true, describe: "Input tokens expected from the prompt cache (part of --input-tokens; priced at the cache rate)", coerce: nonNegativeInteger("cached-tokens") })
        .option("cache-write-tokens", { type: "string", number: true, describe: "Input tokens expected to be written to the cache (part of --input-tokens)", coerce: nonNegativeInteger("cache-write-tokens") })
        .option("service-tier", { type: "string", describe: "Service tier the call will run at (batch, flex...): priced as track prices it" })
        .option("cache-write-1h-tokens", { type: "string", number: true, describe: "Of --cache-write-tokens, those expected to be kept for one hour", coerce: nonNegativeInteger("cache-write-1h-tokens") })
        .option("tag", { type: "string", array: true, describe: "A tag of the call, as track records it: key=value (repeat for several); TAG limits match them", coerce: tagFlags("tag") })
        .option("allow-unpriced", { type: "boolean", describe: "Count tokens of a model without a price as cost 0 under cost limits (default: deny)" })
        .option("format", formatOption(RESULT_FORMATS, "text")),
    handler: (args) =>
      runHandler(ctx, async () => {
        // A denial with a session is recorded, so only a check without one leaves the store untouched.
        const readOnly = args.session === undefined;
        const decision = await withAccounting(ctx, args, (accounting) => handleCheck(accounting, args, ctx.io), { ...(pricesTokens(args) && { pricer: new DeferredPricer(args.catalogPrices !== false) }), readOnly });
        if (!decision.allowed) ctx.exitCode = EXIT.denied;
      }),
  };
}

/** Maps a quota denial from `track --enforce-limits` to output and exit code 3; rethrows anything else. */
export function reportDenial(ctx: CommandContext, error: unknown, format: "text" | "json"): void {
  if (!(error instanceof QuotaExceededError)) throw error;
  printDecision(ctx.io, error.decision, format);
  ctx.exitCode = EXIT.denied;
}

import { ValidationError } from "../errors.js";
import { checkOptionalName } from "../storable-text.js";
import type { UsageDefaults } from "../usage/usage-input.js";
import { checkTags, mergeTags, type UsageTags } from "../usage/usage-tags.js";

/** The names that say who a call is for. Null and absent both mean "not named here". */
export interface CallNames {
  readonly username?: string | null;
  readonly project?: string | null;
  readonly callerName?: string | null;
  readonly session?: string | null;
  readonly tags?: UsageTags | null;
}

/** The layers a call's names come from, highest first (see `resolveCallNames`); any may be absent. */
export interface CallNameLayers {
  /** What the call itself says: a `trackUsage`, `checkQuota` or `reserve` input. */
  readonly input?: CallNames | null;
  /** The `withUsageContext` scope the call runs in (`currentUsageContext()`). */
  readonly context?: CallNames | null;
  /** The names a wrapper was made with: an SDK wrapper's, `tracked()`'s or a middleware's options. */
  readonly wrapper?: CallNames | null;
  /** The facade's defaults (`AccountingOptions.userName`, `projectName`, `appName`, `tags`); no session. */
  readonly defaults?: UsageDefaults | null;
}

/** A call's names once resolved: null where no layer names one; `tags` only when some layer has tags. */
export interface ResolvedCallNames {
  readonly username: string | null;
  readonly project: string | null;
  readonly callerName: string | null;
  readonly session: string | null;
  readonly tags?: UsageTags;
}

/** How `resolveCallNames` checks what it resolves. */
export interface ResolveOptions {
  /** Check the names and tags (the facade); false leaves them to the facade (wrappers). Default true. */
  readonly check?: boolean;
  /** The field a bad project is reported under: the input's spelling (`project` unless a quota input used `projectName`). */
  readonly projectField?: string;
}

/**
 * Where a record's (or a quota check's) user, project, caller, session and tags come from: this is
 * the one place that decides, for the facade (`trackUsage`, `checkQuota`, `reserve`, `quoteCost`),
 * the `UsageBuffer`, every SDK wrapper and middleware, and the CLI.
 *
 * Per name, the first layer that names it wins:
 *   1. input     what the call itself says (`trackUsage({ username })`, `checkQuota({ project })`)
 *   2. context   the `withUsageContext` scope the call runs in (nested scopes: the innermost names)
 *   3. wrapper   the names a wrapper was made with (`trackOpenAI(client, { accounting, project })`)
 *   4. defaults  the facade's options: `userName`, `projectName`, `appName` (no default session)
 * Null and absent both fall through to the next layer, so a null never erases a default (as in the
 * original). Tags merge key by key over all four layers, the higher layer winning each key.
 *
 * A wrapper resolves layers 2 and 3 when its call starts (a stream may end in another async
 * context) and hands the result to the facade as the call's input, where 1, 2 and 4 apply.
 *
 * With `check` (the facade's way) every layer's tags are checked on their own, so an error names
 * the key as it was written, and each winning name is checked as a storable name under the field
 * the call spells it with; wrappers resolve unchecked, leaving errors to the facade's `onError` path.
 */
export function resolveCallNames(layers: CallNameLayers, options: ResolveOptions = {}): ResolvedCallNames {
  const { input, context, wrapper, defaults } = layers;
  const check = options.check ?? true;
  const username = input?.username ?? context?.username ?? wrapper?.username ?? defaults?.userName ?? null;
  const project = input?.project ?? context?.project ?? wrapper?.project ?? defaults?.projectName ?? null;
  const callerName = input?.callerName ?? context?.callerName ?? wrapper?.callerName ?? defaults?.appName ?? null;
  const session = input?.session ?? context?.session ?? wrapper?.session ?? null;
  const tags = check
    ? mergeTags(checkTags(defaults?.tags), checkTags(wrapper?.tags), checkTags(context?.tags), checkTags(input?.tags))
    : mergeTags(defaults?.tags, wrapper?.tags, context?.tags, input?.tags);
  if (!check) return { username, project, callerName, session, ...(tags && { tags }) };
  return {
    username: checkName(username, "username"),
    project: checkName(project, options.projectField ?? "project"),
    callerName: checkName(callerName, "callerName"),
    session: checkName(session, "session"),
    ...(tags && { tags }),
  };
}

function checkName(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== "string") throw new ValidationError(field, `must be a string (got ${String(value)})`);
  return checkOptionalName(value, field);
}

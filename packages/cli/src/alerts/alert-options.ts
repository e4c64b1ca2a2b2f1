import { parseAlertPercents, ValidationError, type AlertTarget } from "@llm-accounting/core";
import { UsageError } from "../errors.js";
import type { GlobalArgs } from "../context/global-options.js";
import { commandTarget } from "./command-target.js";
import { webhookTarget } from "./webhook-target.js";

/** The environment variable holding the webhook's signing secret (a flag would show in `ps`). */
export const WEBHOOK_SECRET_ENV = "LLM_ACCOUNTING_ALERT_WEBHOOK_SECRET";

/** Checks `--alert-webhook`: an http or https URL. */
export function checkWebhookUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--alert-webhook must be an http or https URL (got "${text}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--alert-webhook must be an http or https URL (got "${text}")`);
  return text;
}

/** Parses a percent list flag (`--alert-at 50,80,100`) into fractions; a usage error names the flag. */
export function alertPercents(flag: string) {
  return (value: unknown): number[] | undefined => {
    if (value === undefined) return undefined;
    try {
      return parseAlertPercents(String(value), `--${flag}`);
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(error.message);
      throw error;
    }
  };
}

/** The delivery targets the global options name: the webhook first, then the command. */
export function alertTargetsFor(args: GlobalArgs, env: NodeJS.ProcessEnv): AlertTarget[] {
  const targets: AlertTarget[] = [];
  const url = checkWebhookUrl(args.alertWebhook);
  if (url) targets.push(webhookTarget({ url, secret: env[WEBHOOK_SECRET_ENV] || undefined }));
  if (args.alertCommand) targets.push(commandTarget({ command: args.alertCommand, env }));
  return targets;
}

import { UsageError } from "../errors.js";
import { AdminApiError, type PagedRequest } from "./admin-api.js";
import type { Provider } from "./provider-report.js";

/** What a reconciliation groups by besides day and model. */
export type ReconcileScope = "model" | "project" | "api-key";

/** One report the admin API is asked for, and what it is. */
export interface ReportRequest extends PagedRequest {
  readonly kind: "openai-costs" | "openai-usage" | "anthropic-usage" | "anthropic-costs";
}

/** Where each provider's API is, unless `--api-base` or the environment says otherwise (the SDKs' conventions: OpenAI's includes `/v1`). */
export const DEFAULT_BASES: Readonly<Record<Provider, string>> = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" };

/** The environment variables of each provider's admin key and base URL. */
export const PROVIDER_ENV: Readonly<Record<Provider, { readonly keys: readonly string[]; readonly base: string }>> = {
  openai: { keys: ["OPENAI_ADMIN_KEY"], base: "OPENAI_BASE_URL" },
  anthropic: { keys: ["ANTHROPIC_ADMIN_KEY", "ANTHROPIC_ADMIN_API_KEY"], base: "ANTHROPIC_BASE_URL" },
};

/**
 * The reports to fetch for `provider` over the UTC days `since` to `until` (both included), with
 * the admin key from `env`: OpenAI's costs and completions usage, Anthropic's usage report and
 * cost report (the cost report has no API keys, so `--by api-key` compares Anthropic's tokens only).
 */
export function providerRequests(provider: Provider, since: string, until: string, scope: ReconcileScope, env: NodeJS.ProcessEnv, apiBase?: string): ReportRequest[] {
  const names = PROVIDER_ENV[provider];
  const key = names.keys.map((name) => env[name]).find((value) => value !== undefined && value !== "");
  if (key === undefined) {
    const which = provider === "openai" ? "an OpenAI Admin API key (sk-admin-...)" : "an Anthropic Admin API key (sk-ant-admin...)";
    // The command line is right, the environment lacks the key: a runtime error, not a usage one.
    throw new AdminApiError(`--from-api ${provider} needs ${which} in $${names.keys.join(" or $")}`);
  }
  const base = baseUrl(apiBase ?? (env[names.base] || DEFAULT_BASES[provider]));
  const start = new Date(`${since}T00:00:00Z`);
  const end = new Date(new Date(`${until}T00:00:00Z`).getTime() + 86_400_000);
  if (provider === "openai") {
    const headers = { authorization: `Bearer ${key}` };
    const times = { start_time: String(start.getTime() / 1000), end_time: String(end.getTime() / 1000), bucket_width: "1d" };
    const extra = scope === "project" ? ["project_id"] : scope === "api-key" ? ["api_key_id"] : [];
    return [
      { kind: "openai-costs", name: "OpenAI costs", headers, url: url(base, "organization/costs", { ...times, limit: "180" }, "group_by", ["line_item", ...extra]) },
      { kind: "openai-usage", name: "OpenAI completions usage", headers, url: url(base, "organization/usage/completions", { ...times, limit: "31" }, "group_by", ["model", ...extra]) },
    ];
  }
  const headers = { "x-api-key": key, "anthropic-version": "2023-06-01" };
  const times = { starting_at: start.toISOString().replace(".000Z", "Z"), ending_at: end.toISOString().replace(".000Z", "Z"), bucket_width: "1d", limit: "31" };
  const extra = scope === "project" ? ["workspace_id"] : scope === "api-key" ? ["api_key_id"] : [];
  const usage: ReportRequest = { kind: "anthropic-usage", name: "Anthropic usage report", headers, url: url(base, "v1/organizations/usage_report/messages", times, "group_by[]", ["model", ...extra]) };
  if (scope === "api-key") return [usage];
  return [usage, { kind: "anthropic-costs", name: "Anthropic cost report", headers, url: url(base, "v1/organizations/cost_report", times, "group_by[]", ["description", ...extra]) }];
}

function baseUrl(text: string): URL {
  try {
    const parsed = new URL(text.endsWith("/") ? text : `${text}/`);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error("not http");
    return parsed;
  } catch {
    throw new UsageError(`--api-base must be an http(s) URL (got "${text}")`);
  }
}

function url(base: URL, path: string, params: Record<string, string>, groupParam: string, groups: readonly string[]): URL {
  const made = new URL(path, base);
  for (const [name, value] of Object.entries(params)) made.searchParams.set(name, value);
  for (const group of groups) made.searchParams.append(groupParam, group);
  return made;
}

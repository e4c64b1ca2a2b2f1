import { AccountingError } from "@llm-accounting/core";
import { isObject } from "./report-json.js";

/** A provider's admin API refused a request or answered with something else than a page. */
export class AdminApiError extends AccountingError {
  constructor(message: string) {
    super("ADMIN_API", message);
  }
}

/** One report to fetch: its first page's URL and the headers that carry the admin key. */
export interface PagedRequest {
  /** For messages: `OpenAI costs`. */
  readonly name: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
}

/** How hard to try: retries of a 429 or 5xx answer, the longest wait between them, and the time one request may take. */
export interface FetchPolicy {
  readonly retries: number;
  readonly maxWaitMs: number;
  readonly timeoutMs: number;
  /** Waits between retries; injected by tests that do not want to sleep. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Three retries, at most 30 s apart, a minute per request. */
export const DEFAULT_FETCH_POLICY: FetchPolicy = { retries: 3, maxWaitMs: 30_000, timeoutMs: 60_000, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Pages one report can have at most: far beyond a year of daily buckets, a stop for a looping cursor. */
const MAX_PAGES = 1000;

/**
 * Every page of a report, following `has_more`/`next_page` (both providers page that way, passing
 * the cursor back as `page`). The key travels in headers only and never appears in an error.
 */
export async function fetchPages(request: PagedRequest, policy: FetchPolicy = DEFAULT_FETCH_POLICY): Promise<unknown[]> {
  const pages: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const url = new URL(request.url);
    if (cursor !== undefined) url.searchParams.set("page", cursor);
    const page = await fetchJson(request, url, policy);
    pages.push(page);
    const next = isObject(page) && page.has_more === true ? page.next_page : undefined;
    if (next === undefined || next === null) break;
    if (typeof next !== "string" || next === "") throw new AdminApiError(`${request.name}: page ${pages.length} has has_more but no next_page cursor`);
    if (seen.has(next)) throw new AdminApiError(`${request.name}: the API gave the same next_page cursor twice (stopped to avoid a loop)`);
    seen.add(next);
    cursor = next;
  } while (pages.length < MAX_PAGES);
  if (pages.length >= MAX_PAGES) throw new AdminApiError(`${request.name}: more than ${MAX_PAGES} pages (narrow --since/--until)`);
  return pages;
}

async function fetchJson(request: PagedRequest, url: URL, policy: FetchPolicy): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: "application/json", ...request.headers }, signal: AbortSignal.timeout(policy.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      if (attempt < policy.retries) {
        await policy.sleep(backoff(attempt, policy));
        continue;
      }
      throw new AdminApiError(`${request.name}: cannot reach ${url.origin} (${cause})`);
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new AdminApiError(`${request.name}: ${url.origin}${url.pathname} answered with something else than JSON`);
      }
    }
    // Rate limits and server errors pass; the answer says how long to wait, or we back off.
    if ((response.status === 429 || response.status >= 500) && attempt < policy.retries) {
      const asked = Number(response.headers.get("retry-after"));
      await policy.sleep(Number.isFinite(asked) && asked >= 0 ? Math.min(asked * 1000, policy.maxWaitMs) : backoff(attempt, policy));
      continue;
    }
    throw new AdminApiError(`${request.name}: HTTP ${response.status} from ${url.origin}${url.pathname}${apiMessage(text)}${response.status === 401 || response.status === 403 ? " (an admin key is needed; see docs/reconcile.md)" : ""}`);
  }
}

const backoff = (attempt: number, policy: FetchPolicy): number => Math.min(1000 * 2 ** attempt, policy.maxWaitMs);

// Both providers answer errors as { "error": { "message": ... } }; the message says what was wrong.
function apiMessage(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    const message = isObject(body) && isObject(body.error) ? body.error.message : undefined;
    return typeof message === "string" && message !== "" ? `: ${message.slice(0, 300)}` : "";
  } catch {
    return "";
  }
}

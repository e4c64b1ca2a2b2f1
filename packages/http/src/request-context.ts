import { ValidationError, type UsageContext } from "@llm-accounting/core";

/** The header the default context reads the user from. */
export const USER_HEADER = "x-user-id";
/** The header the default context reads the session from. */
export const SESSION_HEADER = "x-session-id";

/** Request headers as a fetch `Request` or Node's `IncomingMessage` holds them. */
export type HeadersLike = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Names the calls of one request are recorded under, read from the request (may be async, e.g. a session lookup). */
export type ContextFromRequest<Req> = (request: Req) => UsageContext | Promise<UsageContext>;

/** Options shared by every framework's middleware. */
export interface RequestContextOptions<Req> {
  /** Reads the request's names; default `usageContextFromHeaders` (user from `x-user-id`, session from `x-session-id`). */
  readonly context?: ContextFromRequest<Req>;
}

/**
 * The default names of a request: `username` from `x-user-id`, `session` from `x-session-id`
 * (absent or empty headers leave the name to the client's or facade's default). Clients can set
 * any header: rely on it only behind a proxy or gateway that sets these itself.
 */
export function usageContextFromHeaders(headers: HeadersLike): UsageContext {
  const username = headerValue(headers, USER_HEADER);
  const session = headerValue(headers, SESSION_HEADER);
  return { ...(username && { username }), ...(session && { session }) };
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  const raw = typeof headers.get === "function" ? (headers as { get(name: string): string | null }).get(name) : (headers as Record<string, string | readonly string[] | undefined>)[name];
  // Node keeps a repeated custom header as one comma-joined string; a list only for a few known ones.
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The context function of the options, else the headers of `headersOf(request)`; checks what it returns. */
export async function resolveContext<Req>(options: RequestContextOptions<Req>, request: Req, headersOf: (request: Req) => HeadersLike): Promise<UsageContext> {
  const context = options.context ? await options.context(request) : usageContextFromHeaders(headersOf(request));
  if (typeof context !== "object" || context === null) throw new ValidationError("context", `must return an object of names (got ${context === null ? "null" : typeof context})`);
  return context;
}

/** Refuses a `context` option that is not a function, when the middleware is created. */
export function validateOptions(options: RequestContextOptions<never> | undefined): void {
  if (options?.context !== undefined && typeof options.context !== "function") throw new ValidationError("context", `must be a function of the request (got ${typeof options.context})`);
}

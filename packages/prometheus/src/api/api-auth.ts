import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { ValidationError } from "@llm-accounting/core";

/** Environment variable `serve` reads the API token from when `--token` is not given. */
export const API_TOKEN_ENV = "LLM_ACCOUNTING_API_TOKEN";

/**
 * Whether binding `host` keeps the server to this machine (127.0.0.0/8, ::1, localhost), where
 * no token is needed; any other address lets other machines in.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare.startsWith("::ffff:127.");
}

// Hash both sides so the comparison takes the same time whatever the lengths (timingSafeEqual
// needs equal lengths, and an early length check would leak the token's length).
const digest = (text: string) => createHash("sha256").update(text).digest();

/** Whether an `Authorization` header carries `Bearer <token>`, compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** Checks a token given to the server: non-empty, printable, no spaces (it travels in a header). */
export function checkApiToken(token: string): string {
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ValidationError("token", "must be non-empty printable ASCII without spaces");
  return token;
}

import { currentToken } from "./token.js";

/** The server refused the token (or none was given). */
export class AuthError extends Error {}

/** GET one /api/v1 endpoint (relative to the page, so a proxy prefix works) and parse its JSON. */
export async function apiGet(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ""));
  const token = currentToken();
  const response = await fetch(`api/v1/${path}${query.size ? `?${query}` : ""}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    cache: "no-store",
  });
  if (response.status === 401) throw new AuthError("the server wants a token");
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${path}: ${body.reason ?? response.statusText}`);
  return body;
}

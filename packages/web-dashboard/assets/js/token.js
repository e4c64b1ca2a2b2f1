// The API token lives in this tab's sessionStorage only. A link may carry it in the fragment
// (#token=...), which browsers never send to the server or put in a Referer; it is removed from
// the address bar as soon as it is read, so it stays out of history and bookmarks too.
const KEY = "llm-accounting.token";

/** Moves a `#token=` fragment into sessionStorage and clears it from the address bar. */
export function adoptTokenFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token");
  if (token === null) return;
  fragment.delete("token");
  const rest = fragment.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  if (token) sessionStorage.setItem(KEY, token);
}

/** The token this tab holds, or null. */
export const currentToken = () => sessionStorage.getItem(KEY);

/** Keeps a token typed into the page for this tab. */
export const saveToken = (token) => sessionStorage.setItem(KEY, token);

/** Forgets a token the server refused. */
export const forgetToken = () => sessionStorage.removeItem(KEY);

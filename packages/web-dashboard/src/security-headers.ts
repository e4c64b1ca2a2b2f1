/**
 * What the page may load: only its own scripts, styles and API (no CDN, no inline script, no
 * frames). uPlot sizes its elements through the style property, which `style-src 'self'` allows
 * (CSSOM writes are not inline styles).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every dashboard file: the policy above, no MIME sniffing, no referrer to other sites. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  // The files change only with the package; revalidating keeps an upgrade from mixing versions.
  "cache-control": "no-cache",
};

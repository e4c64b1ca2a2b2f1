// Figures as people read them: USD with cents (more digits below a cent), grouped integers.
const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** USD for display: $1,234.56, $0.0042 for small amounts, $0 for nothing. */
export function usd(value) {
  if (value === 0) return "$0";
  const digits = Math.abs(value) >= 1 ? 2 : Math.abs(value) >= 0.01 ? 3 : 5;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: Math.min(digits, 2), maximumFractionDigits: digits })}`;
}

/** A count with thousands separators; large ones shortened (1.2M). */
export function count(value) {
  if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  return integer.format(value);
}

/** A time of day for today's calls, else a short date and time, in the browser's zone. */
export function when(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : date.toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** A limit's amount in its own unit: USD for cost limits, a count otherwise. */
export const amount = (limitType, value) => (limitType === "cost" ? usd(value) : count(value));

/** Text for an element, never HTML: stored names come from any caller. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

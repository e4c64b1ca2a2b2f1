/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC, BEL, CR, LF, BS, TAB...), DEL,
 * C1 controls U+0080–U+009F (U+009B is an 8-bit CSI), the bidi embeddings, overrides and isolates
 * U+202A–U+202E and U+2066–U+2069 (they reorder what follows, "Trojan Source"), and the line and
 * paragraph separators U+2028/U+2029 (some terminals and log viewers break lines on them).
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set without LF, for text whose line breaks are meant to be shown (a prompt's full text). */
const INVISIBLE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b` for a code below U+0100, `\u202e` above: what JavaScript would write for it in a string. */
const escapeOne = (char: string): string => {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/**
 * Text from stored names (a model name comes from a provider's response) made safe to print to a
 * terminal: every control, bidi-override and line-separator character is replaced by its escape
 * (ESC → `\x1b`, newline → `\x0a`, U+202E → `\u202e`), so it shows instead of acting and a name
 * stays on one line. Other text, backslashes included, is returned unchanged.
 */
export function visibleText(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? INVISIBLE_BUT_NEWLINE : INVISIBLE, escapeOne);
}

/** Does `text` hold a character `visibleText` would escape? */
export function hasInvisibleCharacters(text: string): boolean {
  return new RegExp(INVISIBLE.source).test(text);
}

/** What `JSON.stringify` leaves raw although a terminal acts on it (it escapes C0 itself). */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from `JSON.stringify`) with the characters it leaves raw written as `\uXXXX`: the same
 * JSON value, exact for the program that parses it, but nothing a terminal acts on. Safe on the
 * whole text: outside strings JSON holds only ASCII punctuation, digits, letters and whitespace.
 */
export function escapeJsonInvisibles(json: string): string {
  return json.replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

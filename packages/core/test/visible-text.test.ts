import { describe, expect, it } from "vitest";
import { escapeJsonInvisibles, hasInvisibleCharacters, visibleText } from "../src/index.js";

describe("visibleText", () => {
  it("escapes C0 controls, DEL, C1 controls, bidi overrides/isolates and line separators", () => {
    expect(visibleText("a\x1b[31mred\x07\r\b\x7f\x00")).toBe("a\\x1b[31mred\\x07\\x0d\\x08\\x7f\\x00");
    expect(visibleText("csi\x9b2J nel\x85")).toBe("csi\\x9b2J nel\\x85");
    expect(visibleText("\u202eevil\u202c \u2066x\u2069 \u2028")).toBe("\\u202eevil\\u202c \\u2066x\\u2069 \\u2028");
    expect(visibleText("two\nlines\tand tab")).toBe("two\\x0alines\\x09and tab");
  });

  it("leaves ordinary text alone, backslashes and non-Latin letters included", () => {
    for (const text of ["gpt-4o", "DOMAIN\\user", "模型 ü é ✓ 😀", "a\u00a0b", ""]) expect(visibleText(text)).toBe(text);
  });

  it("keeps line breaks when asked, and only them", () => {
    expect(visibleText("line 1\nline\x1b 2\r\n", { keepNewlines: true })).toBe("line 1\nline\\x1b 2\\x0d\n");
  });

  it("leaves nothing to escape", () => {
    const hostile = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join("") + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029";
    expect(hasInvisibleCharacters(hostile)).toBe(true);
    expect(hasInvisibleCharacters(visibleText(hostile))).toBe(false);
    expect(visibleText(visibleText(hostile))).toBe(visibleText(hostile));
  });
});

describe("escapeJsonInvisibles", () => {
  it("writes what JSON.stringify leaves raw as \\u escapes, keeping the value exact", () => {
    const value = { model: "m\x1b\x9b\u202e\u2028\x7f", list: ["\n"] };
    const json = escapeJsonInvisibles(JSON.stringify(value, null, 2));
    expect(hasInvisibleCharacters(json.replaceAll("\n", ""))).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
  });
});

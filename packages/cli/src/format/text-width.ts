import stringWidth from "string-width";

// Made on first use: a Segmenter costs a one-shot command that prints no table several ms.
let segmenter: Intl.Segmenter | undefined;

/** Width of `text` in terminal cells (string-width: a CJK character or an emoji takes two, a combining mark none). */
export const displayWidth = (text: string): number => stringWidth(text);

/** The user-perceived characters of `text` (grapheme clusters), so an emoji sequence or accented letter is never split. */
export function graphemes(text: string): string[] {
  segmenter ??= new Intl.Segmenter();
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/**
 * The provider an AI SDK provider id belongs to, as pricing knows it: `openai.chat` and
 * `openai.responses` → `openai`, `anthropic.messages` → `anthropic`. Null for an empty id.
 */
export function providerFamily(providerId: string | undefined): string | null {
  const family = providerId?.split(".")[0]?.trim().toLowerCase();
  return family ? family : null;
}

import type { Provider } from "./provider-report.js";

/**
 * The model an OpenAI cost line item is for. Line items name the model and what was charged:
 * `gpt-4o-2024-08-06, input`, `gpt-4o-mini-2024-07-18, cached input`, `gpt-image-1 image, output`.
 * The charge after the last comma goes, and a modality word after the model (`text`, `audio`,
 * `image`); what names no model (`web search tool calls`, `assistants api | file search`,
 * `evals | gpt-4o-mini-2024-07-18, input`) is kept as it is, so it shows as the provider's only.
 */
export function openAILineItemModel(lineItem: string | null): string {
  if (lineItem === null || lineItem.trim() === "") return "(no line item)";
  let text = lineItem.trim();
  const comma = text.lastIndexOf(", ");
  if (comma > 0) text = text.slice(0, comma).trim();
  const modality = /^(\S+) (?:text|audio|image)$/.exec(text);
  return modality ? modality[1]! : text;
}

/**
 * The name models are matched by: without a trailing snapshot date (`gpt-4o-2024-08-06` and
 * `gpt-4o` meet as `gpt-4o`, `claude-sonnet-4-5-20250929` and `claude-sonnet-4-5` as the latter),
 * since providers bill the dated snapshot while callers often record the alias. `exact` keeps names as they are.
 */
export function comparableModel(model: string, exact: boolean): string {
  return exact ? model : model.replace(/-(?:\d{4}-\d{2}-\d{2}|\d{8})$/, "");
}

const PROVIDER_MODELS: Readonly<Record<Provider, RegExp>> = {
  openai: /^(?:gpt-|o\d|chatgpt-|text-embedding-|dall-e|whisper|tts-|omni-moderation|text-moderation|computer-use|codex-|davinci|babbage|ft:)/i,
  anthropic: /^claude-/i,
};

/** Whether a model recorded in the ledger looks like one of the provider's (its own names, such as `gpt-` or `claude-`). */
export function looksLikeProviderModel(provider: Provider, model: string): boolean {
  return PROVIDER_MODELS[provider].test(model);
}

/** Counts the tokens of a text. */
type TokenCounter = (text: string) => number;

type Encoding = "cl100k_base" | "o200k_base";

const counters = new Map<Encoding, Promise<TokenCounter>>();

// Tokens each chat message costs besides its text (role and separators), per OpenAI's cookbook.
const TOKENS_PER_MESSAGE = 3;
// The tokens that prime the assistant's reply.
const TOKENS_PER_REPLY = 3;

// Keys whose values are model-visible text; others (ids, types, image URLs, base64 data) are not counted.
const TEXT_KEYS = new Set(["content", "text", "input", "instructions", "system", "arguments", "output", "refusal", "thinking", "tool_calls", "function", "name", "partial_json"]);
// Structured tool arguments are sent to the model as JSON.
const JSON_KEYS = new Set(["input", "arguments"]);
const MAX_DEPTH = 16;

/** The gpt-tokenizer encoding of a model: cl100k_base for GPT-4 and GPT-3.5, o200k_base for the rest (Claude included, as an approximation). */
function encodingOf(model: string): Encoding {
  return /^gpt-(3\.5|4)(-|$)/.test(model) ? "cl100k_base" : "o200k_base";
}

async function loadCounter(encoding: Encoding): Promise<TokenCounter> {
  // Loaded on first use: the encodings are large and most clients never count locally.
  const module = encoding === "cl100k_base" ? await import("gpt-tokenizer/encoding/cl100k_base") : await import("gpt-tokenizer/encoding/o200k_base");
  // Special-token strings in user text are counted as plain text instead of throwing.
  const options = { disallowedSpecial: new Set<string>() };
  return (text) => (text === "" ? 0 : module.countTokens(text, options));
}

/** Counts text with the model's tokenizer, or estimates it at four characters a token if the tokenizer fails to load. */
export async function countTextTokens(model: string, text: string): Promise<number> {
  const encoding = encodingOf(model);
  let counter = counters.get(encoding);
  if (counter === undefined) {
    counter = loadCounter(encoding);
    counters.set(encoding, counter);
  }
  try {
    return (await counter)(text);
  } catch {
    counters.delete(encoding);
    return Math.ceil(text.length / 4);
  }
}

/** Estimates the prompt tokens of a list of messages (or a plain string prompt) and optional instructions. */
export async function countPromptTokens(model: string, prompt: unknown, instructions?: unknown): Promise<number> {
  const messages = Array.isArray(prompt) ? prompt.length : 1;
  const text = [...collectText(instructions), ...collectText(prompt)].join("\n");
  return (await countTextTokens(model, text)) + messages * TOKENS_PER_MESSAGE + TOKENS_PER_REPLY;
}

/** The model-visible strings inside a request or response fragment (message contents, tool arguments...). */
export function collectText(value: unknown, into: string[] = [], depth = 0): string[] {
  if (depth > MAX_DEPTH || value === null || value === undefined) return into;
  if (typeof value === "string") {
    into.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectText(item, into, depth + 1);
  } else if (typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (!TEXT_KEYS.has(key)) continue;
      if (JSON_KEYS.has(key) && item !== null && typeof item === "object" && !Array.isArray(item)) into.push(JSON.stringify(item));
      else collectText(item, into, depth + 1);
    }
  }
  return into;
}

// Our provider ids (the SDK wrappers', the AI SDK's provider family, the price catalog's) where
// they differ from the conventions' well-known `gen_ai.provider.name` values.
const WELL_KNOWN: Readonly<Record<string, string>> = {
  google: "gcp.gemini",
  gemini: "gcp.gemini",
  vertex: "gcp.vertex_ai",
  mistral: "mistral_ai",
  xai: "x_ai",
  "x-ai": "x_ai",
  bedrock: "aws.bedrock",
  "amazon-bedrock": "aws.bedrock",
  azure: "azure.ai.openai",
};

/** The `gen_ai.provider.name` of a stored provider id: the well-known value when there is one, else the id; `fallback` when none is stored. */
export function genAiProviderName(provider: string | null, fallback: string): string {
  if (provider === null || provider === "") return fallback;
  return WELL_KNOWN[provider.toLowerCase()] ?? provider;
}

import { describe, expect, it } from "vitest";
import { NAME_MAX_LENGTH } from "@llm-accounting/core";
import { usageOf } from "@llm-accounting/sdk-kit";

// The model name in a provider's response is not ours to trust: one no store can keep must not
// get the call refused (and its cost lost); the requested model is recorded instead.
const request = { model: "gpt-4o", prompt: [{ role: "user", content: "hi" }], maxOutputTokens: 0 };
const outcome = (model: string | null) => ({ model, tokens: { promptTokens: 3, completionTokens: 2, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, partial: false, completionText: () => "ok" });

describe("the model recorded for an SDK call", () => {
  it("is the provider's when a store can keep it", async () => {
    expect((await usageOf(request, outcome("gpt-4o-2024-08-06"), "openai", 0.1, false)).model).toBe("gpt-4o-2024-08-06");
  });

  it("is the requested one when the provider's is too long, holds a NUL or an unpaired surrogate", async () => {
    for (const bad of ["m".repeat(NAME_MAX_LENGTH + 1), "gpt\u00004o", "gpt\ud8004o"]) {
      expect((await usageOf(request, outcome(bad), "openai", 0.1, false)).model).toBe("gpt-4o");
    }
  });
});

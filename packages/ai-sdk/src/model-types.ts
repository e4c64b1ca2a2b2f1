import type { LanguageModelMiddleware } from "ai";

// Derived from `ai` (the peer dependency) rather than imported from `@ai-sdk/provider`, which
// applications do not necessarily have as a direct dependency.
type WrapGenerateOptions = Parameters<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>[0];

/** The language model a middleware wraps (an AI SDK `LanguageModelV3`). */
export type WrappedModel = WrapGenerateOptions["model"];

/** What a model's `doGenerate` resolves to. */
export type GenerateResult = Awaited<ReturnType<WrapGenerateOptions["doGenerate"]>>;

/** What a model's `doStream` resolves to. */
export type StreamResult = Awaited<ReturnType<WrapGenerateOptions["doStream"]>>;

/** One part of a model's output stream (`text-delta`, `response-metadata`, `finish`, ...). */
export type StreamPart = StreamResult["stream"] extends ReadableStream<infer Part> ? Part : never;

/** The usage a model reports (AI SDK v3 shape: input and output token breakdowns). */
export type ModelUsage = GenerateResult["usage"];

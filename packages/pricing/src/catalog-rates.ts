import { nanosToUsd, usdToNanos, type TokenRates } from "@llm-accounting/core";
import type { ModelPrice as CatalogPrice } from "@pydantic/genai-prices";
import type { PerMTokRates, PriceTier } from "./price-description.js";

/** A USD-per-MTok value as the catalog gives it: flat, or stepping up above input-token thresholds. */
type CatalogRate = number | { readonly base: number; readonly tiers: readonly { readonly start: number; readonly price: number }[] };

/** A rate in nano-dollars per MTok, with its input-size tiers (lowest threshold first). */
interface TieredNanos {
  readonly base: bigint;
  readonly tiers: readonly { readonly start: number; readonly nanos: bigint }[];
}

/** A catalog price as exact nano-dollar rates for the kinds of tokens usage records carry. */
export interface ExactCatalogPrice {
  readonly input: TieredNanos | null;
  readonly cacheRead: TieredNanos | null;
  /** 5-minute cache writes (and every write, when the price has no 1-hour rate). */
  readonly cacheWrite: TieredNanos | null;
  readonly cacheWrite1h: TieredNanos | null;
  readonly output: TieredNanos | null;
}

const TOKEN_KEYS = { input_mtok: "input", cache_read_mtok: "cacheRead", cache_write_mtok: "cacheWrite", cache_write_1h_mtok: "cacheWrite1h", output_mtok: "output" } as const;
type TokenKey = keyof typeof TOKEN_KEYS;

// Units usage records never report (so always 0 here) that leave the token rates' shares
// unchanged; any other key (per-request fees, characters, ...) sends the call through calcPrice.
const UNREPORTED_KEYS = new Set(["web_searches_kcount", "storage_searches_kcount", "input_audio_mtok", "output_audio_mtok", "cache_audio_read_mtok"]);

const isTokenKey = (key: string): key is TokenKey => Object.hasOwn(TOKEN_KEYS, key);

/**
 * The price as exact rates, or undefined when it needs the catalog's own calculation (a unit
 * outside the four token kinds, or a rate with more than nine decimals of a dollar per MTok).
 */
export function exactCatalogPrice(price: CatalogPrice): ExactCatalogPrice | undefined {
  const exact: { -readonly [K in keyof ExactCatalogPrice]: TieredNanos | null } = { input: null, cacheRead: null, cacheWrite: null, cacheWrite1h: null, output: null };
  for (const [key, value] of Object.entries(price)) {
    if (value === undefined || UNREPORTED_KEYS.has(key)) continue;
    if (!isTokenKey(key)) return undefined;
    const rate = tieredNanos(value as CatalogRate);
    if (!rate) return undefined;
    exact[TOKEN_KEYS[key]] = rate;
  }
  return exact;
}

/** The rates for a call with `inputTokens` input tokens (cache included): tiers follow the input size. */
export function ratesForInput(price: ExactCatalogPrice, inputTokens: number): TokenRates {
  const pick = (rate: TieredNanos | null): bigint | null => {
    if (!rate) return null;
    let nanos = rate.base;
    for (const tier of rate.tiers) if (inputTokens > tier.start) nanos = tier.nanos;
    return nanos;
  };
  return {
    inputNanosPerMTok: pick(price.input) ?? 0n,
    cacheReadNanosPerMTok: pick(price.cacheRead),
    cacheWriteNanosPerMTok: pick(price.cacheWrite),
    cacheWrite1hNanosPerMTok: pick(price.cacheWrite1h),
    outputNanosPerMTok: pick(price.output) ?? 0n,
  };
}

/** The catalog price as USD-per-MTok base rates and one tier per distinct input threshold. */
export function describeCatalogPrice(price: CatalogPrice): { readonly base: PerMTokRates; readonly tiers: PriceTier[] } {
  const rate = (key: TokenKey): CatalogRate | undefined => price[key] as CatalogRate | undefined;
  const at = (inputTokens: number): PerMTokRates => {
    const usd = (key: TokenKey): number | null => {
      const value = rate(key);
      if (value === undefined) return null;
      if (typeof value === "number") return value;
      let chosen = value.base;
      for (const tier of [...value.tiers].sort((a, b) => a.start - b.start)) if (inputTokens > tier.start) chosen = tier.price;
      return chosen;
    };
    return { inputPerMTok: usd("input_mtok") ?? 0, cacheReadPerMTok: usd("cache_read_mtok"), cacheWritePerMTok: usd("cache_write_mtok"), cacheWrite1hPerMTok: usd("cache_write_1h_mtok"), outputPerMTok: usd("output_mtok") ?? 0 };
  };
  const starts = new Set<number>();
  for (const key of Object.keys(TOKEN_KEYS) as TokenKey[]) {
    const value = rate(key);
    if (typeof value === "object") for (const tier of value.tiers) starts.add(tier.start);
  }
  const tiers = [...starts].sort((a, b) => a - b).map((start) => ({ aboveInputTokens: start, ...at(start + 1) }));
  return { base: at(0), tiers };
}

function tieredNanos(value: CatalogRate): TieredNanos | undefined {
  if (typeof value === "number") {
    const base = exactNanos(value);
    return base === undefined ? undefined : { base, tiers: [] };
  }
  const base = exactNanos(value.base);
  if (base === undefined || !Array.isArray(value.tiers)) return undefined;
  const tiers: { start: number; nanos: bigint }[] = [];
  for (const tier of [...value.tiers].sort((a, b) => a.start - b.start)) {
    const nanos = exactNanos(tier.price);
    if (nanos === undefined) return undefined;
    tiers.push({ start: tier.start, nanos });
  }
  return { base, tiers };
}

function exactNanos(usd: number): bigint | undefined {
  if (typeof usd !== "number" || !Number.isFinite(usd) || usd < 0) return undefined;
  const nanos = usdToNanos(usd);
  return nanosToUsd(nanos) === usd ? nanos : undefined;
}

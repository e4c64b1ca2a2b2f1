import type { ExchangeRates } from "@llm-accounting/core";
import { isCurrencyCode, ValidationError } from "@llm-accounting/core";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { readRatesFile } from "./rates-file.js";

/** The flags of a command that shows money. */
export interface CurrencyArgs {
  currency?: string;
  rates?: string;
}

/** The currency amounts are shown in, and the dated rates they are converted at. */
export interface DisplayCurrency {
  /** ISO 4217 code, upper case. */
  readonly code: string;
  readonly rates: ExchangeRates;
}

/** yargs definitions of `--currency` and `--rates`, shared by every command that shows money. */
export const currencyOptions = {
  currency: {
    type: "string",
    describe: "Show amounts in this currency (EUR, GBP, ...), converted at the dated rates of --rates; stored amounts stay USD",
    defaultDescription: "$LLM_ACCOUNTING_CURRENCY, else USD",
    coerce: (value: unknown) => {
      if (value === undefined) return undefined;
      if (!isCurrencyCode(String(value))) throw new UsageError(`--currency must be a three-letter currency code such as EUR (got "${String(value)}")`);
      return String(value).toUpperCase();
    },
  },
  rates: { type: "string", describe: "CSV of dated rates for --currency: header date,currency,rate, rate = units of the currency per 1 USD", defaultDescription: "$LLM_ACCOUNTING_RATES" },
} as const;

/**
 * The currency to show amounts in: `--currency` (else `$LLM_ACCOUNTING_CURRENCY`) with the rates
 * file of `--rates` (else `$LLM_ACCOUNTING_RATES`), read once here, before any amount is shown;
 * undefined for US dollars (nothing to convert).
 */
export function displayCurrency(args: CurrencyArgs, io: Pick<CliIo, "env">): DisplayCurrency | undefined {
  const fromEnv = io.env.LLM_ACCOUNTING_CURRENCY || undefined;
  const given = args.currency ?? fromEnv;
  if (given !== undefined && !isCurrencyCode(given)) {
    throw new UsageError(`${args.currency !== undefined ? "--currency" : "$LLM_ACCOUNTING_CURRENCY"} must be a three-letter currency code such as EUR (got "${given}")`);
  }
  const code = given?.toUpperCase();
  if (code === undefined) {
    if (args.rates !== undefined) throw new UsageError("--rates needs --currency (the currency to show amounts in)");
    return undefined;
  }
  if (code === "USD") return undefined;
  const file = args.rates ?? (io.env.LLM_ACCOUNTING_RATES || undefined);
  if (file === undefined) throw new UsageError(`--currency ${code} needs --rates FILE (or $LLM_ACCOUNTING_RATES): a CSV of date,currency,rate`);
  const rates = readRatesFile(file);
  // Checked now, not at the first amount: a file without the currency is refused before any output.
  if (!rates.currencies().includes(code)) throw new ValidationError("rates", `"${file}" has no ${code} rate (it has ${rates.currencies().join(", ") || "none"})`);
  return { code, rates };
}

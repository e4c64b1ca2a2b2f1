import { readFileSync } from "node:fs";
import { ExchangeRates, isCurrencyCode, parseRate, ValidationError, type ExchangeRate } from "@llm-accounting/core";

/** The header a rates file starts with. */
export const RATES_HEADER = "date,currency,rate";

/**
 * Dated rates from a CSV file the user keeps: a `date,currency,rate` header, then one line per
 * rate (`2025-06-02,EUR,0.8791`: units of the currency per 1 USD from that day on). Blank lines
 * and lines starting with `#` are skipped. Any other mistake is an error naming the line and the
 * column; nothing is half read.
 */
export function readRatesFile(file: string): ExchangeRates {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ValidationError("rates", `cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseRatesCsv(text, file);
}

/** The rates of a rates file's text (see `readRatesFile`); `file` names it in errors. */
export function parseRatesCsv(text: string, file: string): ExchangeRates {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const rates: ExchangeRate[] = [];
  let header = false;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `"${file}" line ${index + 1}`;
    const cells = line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
    if (!header) {
      if (cells.join(",").toLowerCase() !== RATES_HEADER) throw new ValidationError("rates", `${where} must be the header ${RATES_HEADER} (got "${line}")`);
      header = true;
      return;
    }
    if (cells.length !== 3) throw new ValidationError("rates", `${where} must have 3 columns, ${RATES_HEADER} (got ${cells.length})`);
    const [day, currency, rate] = cells as [string, string, string];
    if (!isCalendarDay(day)) throw new ValidationError("rates", `${where}: date must be a day, YYYY-MM-DD (got "${day}")`);
    if (!isCurrencyCode(currency)) throw new ValidationError("rates", `${where}: currency must be a three-letter code such as EUR (got "${currency}")`);
    try {
      rates.push({ day, currency: currency.toUpperCase(), scaled: parseRate(rate, "rate") });
    } catch (error) {
      throw error instanceof ValidationError ? new ValidationError("rates", `${where}: ${error.message}`) : error;
    }
  });
  if (!header) throw new ValidationError("rates", `"${file}" is empty (it must start with the header ${RATES_HEADER})`);
  return new ExchangeRates(rates, "rates");
}

function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

export { decimalText, roundedQuotient, scaledDecimal } from "./decimal-text.js";
export { dayText, ExchangeRates, isCurrencyCode, parseRate, RATE_DECIMALS, rateText, type ExchangeRate, type RateSegment } from "./exchange-rates.js";
export { convertedSums, convertNanos, currencySymbol, formatMoney } from "./convert.js";

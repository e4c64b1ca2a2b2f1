// The programmatic face of the CLI, for programs built on it (llm-acct): running it, its global
// options and the stores they name, its table layout and errors' one-line messages.
export { buildCli, describeError, errorLine, runCli } from "./cli.js";
export { reportRange, type PeriodName, type ReportRange } from "./commands/stats-period.js";
export { auditStoreFor, openAccounting } from "./context/open-accounting.js";
export { globalOptions } from "./context/global-options.js";
export { currencyOptions, displayCurrency, type CurrencyArgs, type DisplayCurrency } from "./currency/currency-options.js";
export { parseRatesCsv, readRatesFile } from "./currency/rates-file.js";
export type { GlobalArgs } from "./context/global-options.js";
export { renderTable, type Column, type TableOptions } from "./format/table.js";
export type { CliIo } from "./io.js";
export { processIo } from "./process-io.js";

export { CsvStore, type CsvStoreOptions } from "./csv-store.js";
export { CorruptCsvError } from "./table-file.js";

import type { Options } from "yargs";
import { checkTimeZone } from "./time-zone.js";

/** Options every command accepts (they may also come before the command, as in the original). */
export interface GlobalArgs {
  dbFile?: string;
  dbBackend?: "sqlite" | "postgresql" | "csv";
  csvDataDir?: string;
  postgresqlConnectionString?: string;
  projectName?: string;
  appName?: string;
  userName?: string;
  enforceProjectNames?: boolean;
  enforceUserNames?: boolean;
  auditDbBackend?: "sqlite" | "postgresql";
  auditDbFile?: string;
  auditPostgresqlConnectionString?: string;
  catalogPrices?: boolean;
  /** IANA time zone of day boundaries in reports and ranges. */
  timezone?: string;
  /** JSON file of default global options. */
  config?: string;
  /** Alert thresholds in percent (`50,80,100`) for limits set without --alert-at. */
  defaultAlertAt?: string;
  /** URL each alert is POSTed to. */
  alertWebhook?: string;
  /** Shell command each alert is piped to (as JSON on stdin). */
  alertCommand?: string;
}

/** yargs definitions of the global options. */
export const globalOptions: Record<string, Options> = {
  config: { type: "string", describe: "JSON file of global option defaults, e.g. {\"dbFile\": \"/srv/usage.sqlite\"}; a flag beats the environment, which beats the file", defaultDescription: "$LLM_ACCOUNTING_CONFIG, else ./llm-accounting.json when present" },
  "db-file": { type: "string", describe: "SQLite database file (.sqlite, .sqlite3 or .db)", defaultDescription: "$LLM_ACCOUNTING_DB_FILE, else data/accounting.sqlite" },
  "db-backend": { choices: ["sqlite", "postgresql", "csv"], describe: "Storage backend", defaultDescription: "$LLM_ACCOUNTING_DB_BACKEND, else sqlite; postgresql when a connection string is given by flag, or by $POSTGRESQL_CONNECTION_STRING without --db-file" },
  "csv-data-dir": { type: "string", describe: "Directory of the csv backend's files", defaultDescription: "$LLM_ACCOUNTING_CSV_DATA_DIR, else data/" },
  "postgresql-connection-string": { type: "string", describe: "postgresql://user:password@host:port/database", defaultDescription: "$POSTGRESQL_CONNECTION_STRING" },
  "project-name": { type: "string", describe: "Project recorded when a call names none" },
  "app-name": { type: "string", describe: "Caller recorded when a call names none" },
  "user-name": { type: "string", describe: "User recorded when a call names none", defaultDescription: "$USER" },
  "enforce-project-names": { type: "boolean", describe: "Refuse projects that are not registered (see projects)" },
  "enforce-user-names": { type: "boolean", describe: "Refuse users that are not registered or are deactivated (see users)" },
  "catalog-prices": { type: "boolean", describe: "Price calls tracked without --cost from the @pydantic/genai-prices catalog (stored prices always apply); --no-catalog-prices to turn off", defaultDescription: "true" },
  timezone: { type: "string", describe: "Time zone of day boundaries: --daily, --weekly, ..., and days or times without an offset in --since, --until, --before (an IANA name: Europe/Paris)", defaultDescription: "$LLM_ACCOUNTING_TIMEZONE, else UTC", coerce: (zone: unknown) => (zone === undefined ? undefined : checkTimeZone(String(zone))) },
  "audit-db-backend": { choices: ["sqlite", "postgresql"], describe: "Keep the audit log in a store of its own", defaultDescription: "the usage store" },
  "audit-db-file": { type: "string", describe: "SQLite file of a separate audit store" },
  "default-alert-at": { type: "string", describe: "Alert thresholds in percent of the maximum (e.g. 50,80,100) given to limits set without --alert-at" },
  "alert-webhook": { type: "string", describe: "POST each new alert as JSON to this URL; signed (HMAC-SHA256) when $LLM_ACCOUNTING_ALERT_WEBHOOK_SECRET is set" },
  "alert-command": { type: "string", describe: "Run this shell command for each new alert, with the alert as JSON on stdin (exit 0 = delivered)" },
  "audit-postgresql-connection-string": { type: "string", describe: "PostgreSQL of a separate audit store", defaultDescription: "$AUDIT_POSTGRESQL_CONNECTION_STRING" },
};

import { Accounting, parseTagList, ValidationError, visibleText, type PricedUsage, type UsageTags, type Pricer, type PriceQuote, type UsageStore } from "@llm-accounting/core";
import { UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import type { GlobalArgs } from "./global-options.js";
import { withSettings } from "./settings.js";
import { alertPercents, alertTargetsFor } from "../alerts/alert-options.js";
import type { ImportProgress, ImportSummary } from "@llm-accounting/storage-prisma";

export type { ImportSummary } from "@llm-accounting/storage-prisma";

// Each backend is loaded only when chosen: a one-shot command should not pay for the others.
const sqlite = () => import("@llm-accounting/storage-prisma/sqlite");
const postgresql = () => import("@llm-accounting/storage-prisma/postgresql");
const csv = () => import("@llm-accounting/storage-csv");
// The importer of Python databases, for `import --from-sqlite/--from-postgresql` only.
const pythonImporter = () => import("@llm-accounting/storage-prisma");
// The catalog is large; only commands that price calls load it.
const pricing = () => import("@llm-accounting/pricing");

/**
 * The backend when --db-backend is absent: the one whose location was given; else PostgreSQL when
 * $POSTGRESQL_CONNECTION_STRING is set (a deployed service configures it that way), else SQLite.
 */
function defaultBackend(args: GlobalArgs, env: NodeJS.ProcessEnv): "sqlite" | "postgresql" | "csv" {
  if (args.postgresqlConnectionString) return "postgresql";
  if (args.csvDataDir) return "csv";
  if (args.dbFile !== undefined) return "sqlite";
  return env.POSTGRESQL_CONNECTION_STRING ? "postgresql" : "sqlite";
}

/**
 * Builds the store the global options name. Nothing touches the disk or network until it is used.
 * `readOnly`: the command only reads, so an SQLite file is opened read-only and must exist already
 * and be an up-to-date llm-accounting database (a mistyped path or another application's file is
 * an error, never a new empty database or one we add tables to); a CSV directory is only ever
 * created by a write. `onLockWait` hears what a CSV command waits for (the directory lock's holder).
 */
export async function storeFor(args: GlobalArgs, env: NodeJS.ProcessEnv, readOnly = false, onLockWait?: (message: string) => void): Promise<UsageStore> {
  const backend = args.dbBackend ?? defaultBackend(args, env);
  if (backend !== "csv" && args.csvDataDir !== undefined) throw new UsageError("--csv-data-dir needs --db-backend csv");
  if (backend === "csv") {
    if (args.dbFile !== undefined || args.postgresqlConnectionString !== undefined) {
      throw new UsageError("--db-file and --postgresql-connection-string do not apply to the csv backend; use --csv-data-dir");
    }
    const { CsvStore } = await csv();
    return new CsvStore({ dir: args.csvDataDir, readOnly, onLockWait });
  }
  if (backend === "postgresql") {
    if (args.dbFile !== undefined) throw new UsageError("--db-file applies to the sqlite backend only; remove it or use --db-backend sqlite");
    const connectionString = args.postgresqlConnectionString ?? env.POSTGRESQL_CONNECTION_STRING;
    if (!connectionString) {
      throw new UsageError("--postgresql-connection-string is required for the postgresql backend (or set POSTGRESQL_CONNECTION_STRING)");
    }
    const { PostgresqlStore } = await postgresql();
    return new PostgresqlStore({ connectionString, readOnly });
  }
  if (args.postgresqlConnectionString !== undefined) throw new UsageError("--postgresql-connection-string needs --db-backend postgresql");
  const { SqliteStore } = await sqlite();
  // One-shot processes sum quotas in SQL; building the in-process index would cost more.
  return new SqliteStore({ file: args.dbFile, quotaIndex: false, readOnly });
}

/** --no-catalog-prices: a model without a stored price is unpriced (cost 0, said so), never a silent 0. */
const STORED_PRICES_ONLY: Pricer = { quote: (usage) => ({ priced: false, reason: `no stored price for model '${usage.model}' (catalog prices are off)` }) };

/**
 * A pricer that loads the catalog only when `load()` is awaited: for commands that may have
 * nothing to price (an import over unchanged logs), since loading the catalog costs ~0.2 s.
 */
export class DeferredPricer implements Pricer {
  #pricer: Pricer | undefined;
  #loading: Promise<void> | undefined;
  readonly #catalog: boolean;

  /** `catalog` false: stored prices only (--no-catalog-prices). */
  constructor(catalog: boolean) {
    this.#catalog = catalog;
  }

  /** Loads the catalog (once); quote() needs it done. */
  load(): Promise<void> {
    this.#loading ??= this.#catalog ? pricing().then((m) => void (this.#pricer = m.createPricer())) : Promise.resolve(void (this.#pricer = STORED_PRICES_ONLY));
    return this.#loading;
  }

  /** The `Pricer` hook for `load()`: a quota check calls it only when a cost limit applies. */
  ready(): Promise<void> {
    return this.load();
  }

  quote(usage: PricedUsage): PriceQuote {
    if (!this.#pricer) throw new Error("DeferredPricer.quote before load()");
    return this.#pricer.quote(usage);
  }
}

/** What a command needs beyond the store. */
export interface AccountingNeeds {
  /** The command prices calls (track without --cost, reprice): load the catalog pricer. */
  readonly pricing?: boolean;
  /** A pricer the command built itself (it wins over `pricing`). */
  readonly pricer?: Pricer;
  /** The command only reads: the store is opened read-only, and a database that does not exist is refused rather than created. */
  readonly readOnly?: boolean;
}

/** The Accounting facade for a command: store from the global options, defaults from flags and $USER. */
export async function openAccounting(flags: GlobalArgs, io: CliIo, needs: AccountingNeeds = {}): Promise<Accounting> {
  // The CLI applied the settings already; a program calling this directly (llm-acct) gets them here.
  const args = withSettings(flags, io.env, process.cwd());
  // Checked before the store is built, so a bad value creates nothing.
  const alertAt = alertPercents("default-alert-at")(args.defaultAlertAt);
  const alertTargets = alertTargetsFor(args, io.env);
  // Default tags of every call this process records (the call's --tag wins key by key).
  const tags = needs.readOnly ? undefined : envTags(io.env);
  const pricer = needs.pricer ?? (!needs.pricing ? undefined : args.catalogPrices === false ? STORED_PRICES_ONLY : (await pricing()).createPricer());
  return new Accounting({
    store: await storeFor(args, io.env, needs.readOnly ?? false, (message) => io.stderr.write(`${visibleText(message)}\n`)),
    pricer,
    // The commands say an unpriced call themselves, in their own words: no process warning as well.
    onUnpriced: (_model, message, kind) => {
      if (kind === "tier") io.stderr.write(`Warning: ${visibleText(message)}\n`);
    },
    projectName: args.projectName,
    appName: args.appName,
    userName: args.userName ?? io.env.USER ?? io.env.USERNAME,
    enforceProjectNames: args.enforceProjectNames ?? false,
    enforceUserNames: args.enforceUserNames ?? false,
    now: io.now,
    ...(alertAt && { alertAt }),
    ...(tags && { tags }),
    // Alerts raised by this command's writes are delivered before it exits (close waits).
    alertTargets,
  });
}

/** $LLM_ACCOUNTING_TAGS as tags; a bad value is a usage error naming the variable (not a flag). */
function envTags(env: NodeJS.ProcessEnv): UsageTags | undefined {
  try {
    return parseTagList(env.LLM_ACCOUNTING_TAGS, "LLM_ACCOUNTING_TAGS");
  } catch (error) {
    throw error instanceof ValidationError ? new UsageError(error.message) : error;
  }
}

/**
 * The store of the audit log: the usage store unless an --audit-* option (or the environment's
 * AUDIT_POSTGRESQL_CONNECTION_STRING with --audit-db-backend postgresql) names another one.
 * `readOnly` as for `storeFor`.
 */
export async function auditStoreFor(flags: GlobalArgs, env: NodeJS.ProcessEnv, readOnly = false): Promise<UsageStore> {
  const args = withSettings(flags, env, process.cwd());
  const separate = args.auditDbBackend !== undefined || args.auditDbFile !== undefined || args.auditPostgresqlConnectionString !== undefined;
  if (!separate) return storeFor(args, env, readOnly);
  const backend = args.auditDbBackend ?? (args.auditPostgresqlConnectionString ? "postgresql" : args.auditDbFile ? "sqlite" : (args.dbBackend ?? "sqlite"));
  if (backend === "postgresql") {
    const connectionString = args.auditPostgresqlConnectionString ?? env.AUDIT_POSTGRESQL_CONNECTION_STRING;
    if (!connectionString) {
      throw new UsageError("--audit-postgresql-connection-string is required for a postgresql audit store (or set AUDIT_POSTGRESQL_CONNECTION_STRING)");
    }
    const { PostgresqlStore } = await postgresql();
    return new PostgresqlStore({ connectionString, readOnly });
  }
  const { SqliteStore } = await sqlite();
  return new SqliteStore({ file: args.auditDbFile ?? args.dbFile, quotaIndex: false, readOnly });
}

/** Where a database of the Python llm-accounting is: exactly one of the two. */
export interface PythonLocation {
  readonly sqliteFile?: string;
  readonly postgresqlUrl?: string;
}

/** A database of the Python llm-accounting, opened for reading, to copy into a store. */
export interface PythonImport {
  /** The database, for messages (a PostgreSQL URL without its password). */
  readonly description: string;
  /** Copies its tables into `store`; rows copied by an earlier run are skipped. */
  copyInto(store: UsageStore, onProgress?: ImportProgress): Promise<ImportSummary>;
  close(): Promise<void>;
}

/** Opens the Python database at `from` for `import`; its backend is loaded only now. */
export async function openPythonImport(from: PythonLocation): Promise<PythonImport> {
  const { importPythonDatabase, openPostgresqlSource, openSqliteSource } = await pythonImporter();
  const source = from.sqliteFile !== undefined ? openSqliteSource(from.sqliteFile) : await openPostgresqlSource(from.postgresqlUrl!);
  return {
    description: source.description,
    copyInto: (store, onProgress) => importPythonDatabase(source, store, onProgress),
    close: () => source.close(),
  };
}

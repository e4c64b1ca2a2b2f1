import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { globalOptions, type GlobalArgs } from "./global-options.js";
import { checkTimeZone } from "./time-zone.js";

/** The config file read when neither --config nor $LLM_ACCOUNTING_CONFIG names one (if it exists). */
export const DEFAULT_CONFIG_FILE = "llm-accounting.json";

/** Environment variables that set global options, by option. */
export const SETTING_ENV: Readonly<Partial<Record<keyof GlobalArgs, string>>> = {
  dbBackend: "LLM_ACCOUNTING_DB_BACKEND",
  dbFile: "LLM_ACCOUNTING_DB_FILE",
  csvDataDir: "LLM_ACCOUNTING_CSV_DATA_DIR",
  postgresqlConnectionString: "POSTGRESQL_CONNECTION_STRING",
  timezone: "LLM_ACCOUNTING_TIMEZONE",
};

type Layer = Partial<Record<keyof GlobalArgs, unknown>>;
const STORE_KEYS = ["dbBackend", "dbFile", "csvDataDir", "postgresqlConnectionString"] as const;
const LOCATION = { sqlite: "dbFile", csv: "csvDataDir", postgresql: "postgresqlConnectionString" } as const;
const BACKENDS = ["sqlite", "postgresql", "csv"] as const;
const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
// Every global option by its camelCase name (what a config file holds), with its kind.
const KNOWN = new Map(Object.entries(globalOptions).filter(([name]) => name !== "config").map(([name, option]) => [camel(name), option]));
const PATHS = new Set(["dbFile", "csvDataDir", "auditDbFile"]);

/**
 * Global options as the command will use them: each from the command line if given there, else
 * from its environment variable (SETTING_ENV), else from the config file (`--config`,
 * `$LLM_ACCOUNTING_CONFIG`, or ./llm-accounting.json when present), else the default. The store is
 * chosen as a whole by the first of those layers that names one (a backend or a location), so an
 * environment's database never mixes with a flag's; a layer that names only the backend takes the
 * location from a lower one (`--db-backend postgresql` with $POSTGRESQL_CONNECTION_STRING).
 */
export function withSettings<T extends GlobalArgs>(args: T, env: NodeJS.ProcessEnv, cwd: string): T {
  const flags: Layer = args;
  const fromEnv: Layer = {};
  for (const [key, name] of Object.entries(SETTING_ENV)) if (env[name!]) fromEnv[key as keyof GlobalArgs] = env[name!];
  const fromFile = configLayer(args.config ?? env.LLM_ACCOUNTING_CONFIG, cwd, args.config !== undefined ? "--config" : "$LLM_ACCOUNTING_CONFIG");
  const layers = [flags, fromEnv, fromFile];
  const merged: Layer = { ...args };
  // Everything but the store: the first layer that has it.
  for (const key of KNOWN.keys()) {
    if ((STORE_KEYS as readonly string[]).includes(key)) continue;
    const value = layers.map((layer) => layer[key as keyof GlobalArgs]).find((v) => v !== undefined);
    if (value !== undefined) merged[key as keyof GlobalArgs] = value;
  }
  const backendOf = (layer: Layer) =>
    (layer.dbBackend as string | undefined) ?? (layer.postgresqlConnectionString ? "postgresql" : layer.csvDataDir ? "csv" : layer.dbFile !== undefined ? "sqlite" : undefined);
  const chosen = layers.findIndex((layer) => backendOf(layer) !== undefined);
  if (chosen > 0) {
    // The command line names no store: the whole store comes from the layer that names one.
    const backend = backendOf(layers[chosen]!)!;
    if (!(BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`${SETTING_ENV.dbBackend} or "dbBackend" must be one of ${BACKENDS.join(", ")} (got "${backend}")`);
    merged.dbBackend = backend;
    const key = LOCATION[backend as keyof typeof LOCATION];
    const location = layers.slice(chosen).map((layer) => layer[key]).find((v) => v !== undefined);
    if (location !== undefined) merged[key] = location;
  } else if (chosen === 0) {
    // The command line names it; lower layers may only supply its missing location.
    const backend = backendOf(flags) as keyof typeof LOCATION;
    const key = LOCATION[backend];
    if (key && merged[key] === undefined) {
      const location = layers.slice(1).map((layer) => layer[key]).find((v) => v !== undefined);
      if (location !== undefined) merged[key] = location;
    }
  }
  if (typeof merged.timezone === "string") merged.timezone = checkTimeZone(merged.timezone);
  return merged as T;
}

// The config file's options, paths made absolute from its folder; {} when there is none.
function configLayer(named: string | undefined, cwd: string, via: string): Layer {
  const file = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (named === undefined && !existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new UsageError(`cannot read the config file ${file}${named === undefined ? "" : ` (from ${via})`}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError(`the config file ${file} must hold one JSON object of global options`);
  const layer: Layer = {};
  for (const [name, value] of Object.entries(parsed)) {
    const key = camel(name);
    const option = KNOWN.get(key);
    if (!option) throw new UsageError(`the config file ${file} has an unknown setting "${name}" (settings are global options: ${[...KNOWN.keys()].join(", ")})`);
    const kind = option.type === "boolean" ? "boolean" : "string";
    if (typeof value !== kind) throw new UsageError(`the config file ${file}: "${name}" must be a ${kind} (got ${JSON.stringify(value)})`);
    if (option.choices && !(option.choices as readonly unknown[]).includes(value)) throw new UsageError(`the config file ${file}: "${name}" must be one of ${(option.choices as readonly string[]).join(", ")} (got ${JSON.stringify(value)})`);
    layer[key as keyof GlobalArgs] = PATHS.has(key) && !isAbsolute(value as string) ? resolve(dirname(file), value as string) : value;
  }
  return layer;
}

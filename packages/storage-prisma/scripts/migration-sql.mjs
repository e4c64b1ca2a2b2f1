#!/usr/bin/env node
// Writes a new Prisma migration for each provider, offline, with Prisma's wasm schema engine (the
// native engine cannot be downloaded here). It diffs the schema as last committed to git
// (`git show HEAD:prisma/<provider>/schema.prisma`) against the working copy, so run it after
// editing a schema.prisma and before committing it; a provider without migrations diffs from empty.
// Datamodel-to-datamodel diffs need no database (replaying migrations into a shadow database fails
// in the wasm engine for both SQLite and PostgreSQL).
//
//   node packages/storage-prisma/scripts/migration-sql.mjs <migration_name> [sqlite|postgresql ...]
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const [name, ...only] = process.argv.slice(2);
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: migration-sql.mjs <migration_name: lower_snake_case> [sqlite|postgresql ...]");
  process.exit(2);
}
const providers = only.length ? only : ["sqlite", "postgresql"];

const wasmPath = join(dirname(fileURLToPath(import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg"))), "schema_engine_bg.wasm");
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { "./schema_engine_bg.js": bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();

const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
for (const provider of providers) {
  const base = join(repo, "prisma", provider);
  const schemaPath = join(base, "schema.prisma");
  const schema = readFileSync(schemaPath, "utf8");
  const migrationsDir = join(base, "migrations");
  mkdirSync(migrationsDir, { recursive: true });
  const hasMigrations = readdirSync(migrationsDir, { withFileTypes: true }).some((d) => d.isDirectory());
  const previous = hasMigrations ? execFileSync("git", ["show", `HEAD:${relative(repo, schemaPath)}`], { cwd: repo, encoding: "utf8" }) : null;
  // The engine needs an adapter even for datamodel diffs; an in-memory SQLite one is never queried.
  const engine = await bg.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: ":memory:" })));
  const result = await engine.diff({
    from: previous === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: schemaPath, content: previous }] },
    to: { tag: "schemaDatamodel", files: [{ path: schemaPath, content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  engine.free();
  const sql = result.stdout ?? "";
  if (!sql.trim() || /This is an empty migration/.test(sql)) {
    console.log(`${provider}: the schema matches HEAD; nothing written`);
    continue;
  }
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), sql);
  const lockPath = join(migrationsDir, "migration_lock.toml");
  if (!existsSync(lockPath)) writeFileSync(lockPath, `# Written by scripts/migration-sql.mjs; Prisma reads it.\nprovider = "${provider}"\n`);
  console.log(`${provider}: wrote ${relative(repo, dir)}`);
}
process.exit(0);

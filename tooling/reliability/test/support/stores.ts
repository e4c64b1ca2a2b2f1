import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageStore } from "@llm-accounting/core";
import { CsvStore } from "@llm-accounting/storage-csv";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { createTestDatabase } from "@llm-accounting/storage-prisma/testing";

/** The three stores every reliability case runs on. */
export const BACKENDS = ["sqlite", "postgresql", "csv"] as const;
export type Backend = (typeof BACKENDS)[number];

/** A new, empty store: where it lives (as a worker's command line names it) and how to open it here. */
export interface FreshStore {
  readonly backend: Backend;
  readonly location: string;
  open(): UsageStore;
  /** The CLI's global options that select this store. */
  readonly cliArgs: readonly string[];
}

const cleanups: (() => Promise<void> | void)[] = [];

/** Creates a fresh store of the given kind (a file, a database, a directory). */
export async function freshStore(backend: Backend): Promise<FreshStore> {
  if (backend === "postgresql") {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    return { backend, location: db.url, open: () => new PostgresqlStore({ connectionString: db.url }), cliArgs: ["--db-backend", "postgresql", "--postgresql-connection-string", db.url] };
  }
  const dir = mkdtempSync(join(tmpdir(), `llm-acct-reliability-${backend}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  if (backend === "sqlite") {
    const file = join(dir, "ledger.sqlite");
    return { backend, location: file, open: () => new SqliteStore({ file }), cliArgs: ["--db-file", file] };
  }
  return { backend, location: dir, open: () => new CsvStore({ dir }), cliArgs: ["--db-backend", "csv", "--csv-data-dir", dir] };
}

/** Drops every database and removes every directory `freshStore` made (afterAll). */
export async function removeFreshStores(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup();
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageStore } from "@llm-accounting/core";
import { PostgresqlStore } from "../postgresql/postgresql-store.js";
import { SqliteStore } from "../sqlite/sqlite-store.js";
import { createTestDatabase } from "./test-database.js";

/** Fresh, empty stores on both SQL backends for one test file, and how to remove them all. */
export interface FreshSqlStores {
  /** Opens a new store per call: a new SQLite file, or a new PostgreSQL database on the test server. */
  readonly open: { readonly sqlite: () => Promise<UsageStore>; readonly postgresql: () => Promise<UsageStore> };
  /** A temporary directory for the file's other needs (removed with the stores). */
  readonly dir: string;
  /** Drops every database and removes the directory (for `afterAll`). */
  remove(): Promise<void>;
}

/** Fresh SQLite and PostgreSQL stores for a test file; `prefix` names its temporary directory. */
export function freshSqlStores(prefix: string): FreshSqlStores {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const drops: (() => Promise<void>)[] = [];
  let files = 0;
  return {
    dir,
    open: {
      sqlite: async () => new SqliteStore({ file: join(dir, `usage-${++files}.sqlite`) }),
      postgresql: async () => {
        const db = await createTestDatabase();
        drops.push(db.drop);
        return new PostgresqlStore({ connectionString: db.url });
      },
    },
    async remove() {
      for (const drop of drops.splice(0)) await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

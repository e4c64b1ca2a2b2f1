import { join } from "node:path";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { createTestDatabase } from "@llm-accounting/storage-prisma/testing";
import { runCli, type CliIo } from "../src/index.js";

/** Output of one in-process CLI run. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output, a fixed clock, and scripted answers on stdin; stderr is piped unless `stderrTTY`. */
export async function cli(argv: string[], options: { answers?: string[]; now?: Date; env?: NodeJS.ProcessEnv; stderrTTY?: boolean } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.stderrTTY === true },
    readLine: async (prompt) => {
      stdout += prompt;
      return answers.length ? answers.shift()! : null;
    },
    env: options.env ?? {},
    now: () => options.now ?? new Date(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export { createTestDatabase, TEST_POSTGRES_URL } from "@llm-accounting/storage-prisma/testing";

/** Fresh, empty stores for CLI tests: global flags selecting a new SQLite file or PostgreSQL database. */
export function freshStores(dir: string, drops: (() => Promise<void>)[]): [name: string, fresh: () => Promise<string[]>][] {
  let files = 0;
  return [
    [
      "sqlite",
      async () => {
        // Created empty, as the PostgreSQL database is: commands that only read refuse a missing file.
        const file = join(dir, `store-${++files}.sqlite`);
        const store = new SqliteStore({ file, writerThread: false });
        await store.open();
        await store.close();
        return ["--db-file", file];
      },
    ],
    [
      "postgresql",
      async () => {
        const db = await createTestDatabase();
        drops.push(db.drop);
        // Migrated, as the SQLite file is: commands that only read refuse a database without our schema.
        const store = new PostgresqlStore({ connectionString: db.url });
        await store.open();
        await store.close();
        return ["--db-backend", "postgresql", "--postgresql-connection-string", db.url];
      },
    ],
  ];
}

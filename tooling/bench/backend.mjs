import { join } from "node:path";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";

/**
 * Where the store-level steps write: BENCH_BACKEND=sqlite (default) gives each step a file in
 * `dir`; BENCH_BACKEND=postgresql gives each step a fresh database on BENCH_POSTGRES_URL's server
 * (default the local one), so no step reads another's rows, and drops them all in dispose().
 */
export async function createBackend(dir) {
  const name = process.env.BENCH_BACKEND ?? "sqlite";
  if (name === "sqlite") {
    return {
      name,
      location: async (label) => join(dir, `${label}.sqlite`),
      open: (location) => new SqliteStore({ file: location }),
      dispose: async () => {},
    };
  }
  if (name !== "postgresql") throw new Error(`BENCH_BACKEND must be sqlite or postgresql, not ${name}`);
  // The testing helper reads its server from TEST_POSTGRES_URL when it is loaded.
  process.env.TEST_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const { createTestDatabase } = await import("@llm-accounting/storage-prisma/testing");
  const drops = [];
  return {
    name,
    location: async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      return db.url;
    },
    open: (location) => new PostgresqlStore({ connectionString: location }),
    dispose: async () => {
      for (const drop of drops.splice(0)) await drop();
    },
  };
}

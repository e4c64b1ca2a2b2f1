import type pg from "pg";
import type { Migration } from "./migration.js";
import { schemaState, type SchemaState } from "./schema-state.js";

/** Reads (never writes) how a PostgreSQL database's search path relates to this version's migrations. */
export async function postgresqlSchemaState(client: pg.ClientBase, migrations: readonly Migration[]): Promise<SchemaState> {
  const bookkeeping = await client.query<{ present: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`);
  const tables = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_catalog.pg_tables WHERE schemaname = ANY (current_schemas(false))`,
  );
  const applied = bookkeeping.rows[0]?.present
    ? new Set((await client.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)).rows.map((r) => r.migration_name))
    : null;
  return schemaState({ applied, tableCount: Number(tables.rows[0]?.n ?? 0) }, migrations);
}

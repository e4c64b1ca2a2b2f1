import type pg from "pg";

/** Whether a transaction is open on a connection `withConnection` lent out (set by the work). */
export interface OpenTransaction {
  open: boolean;
}

/**
 * Runs `work` on one pooled connection. While `work` marks a transaction open (`tx.open`), a
 * throw rolls it back; a connection that cannot even roll back is dead and is destroyed rather
 * than pooled.
 */
export async function withConnection<T>(pool: pg.Pool, work: (client: pg.PoolClient, tx: OpenTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client whose connection dies also emits 'error' (the pool listens only to idle
  // ones): unheard, that would crash the process. The failed query reports it to the caller.
  client.on("error", ignoreConnectionError);
  const tx = { open: false };
  let broken = false;
  try {
    return await work(client, tx);
  } catch (error) {
    if (tx.open) broken = await client.query("ROLLBACK").then(() => false, () => true);
    throw error;
  } finally {
    client.off("error", ignoreConnectionError);
    client.release(broken);
  }
}

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient, begun: pg.QueryResult[]) => Promise<T>, begin = "BEGIN"): Promise<T> {
  return withConnection(pool, async (client, tx) => {
    tx.open = true;
    // `begin` may hold more statements after BEGIN (simple protocol: one round trip for all).
    const begun = (await client.query(begin)) as pg.QueryResult | pg.QueryResult[];
    const result = await work(client, Array.isArray(begun) ? begun : [begun]);
    await client.query("COMMIT");
    tx.open = false;
    return result;
  });
}

function ignoreConnectionError(): void {}

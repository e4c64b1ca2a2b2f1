import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Accounting, type AccountingOptions, type NewUsageLimit, type UsageRecord, type UsageSink, type UsageStore } from "@llm-accounting/core";

/** Reads an async iterable (a stream of chunks or events) to the end, into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** Opens `Accounting` facades over fresh file-backed stores in one temporary directory. */
export interface TestAccountings {
  /** The temporary directory holding the store files. */
  readonly dir: string;
  /** A facade over a new, empty store file, with any other facade options. */
  open(options?: Omit<AccountingOptions, "store">): Accounting;
  /** A facade whose store file lies below a plain file, so every store operation fails. */
  openBroken(options?: Omit<AccountingOptions, "store">): Accounting;
  /** Deletes the directory and every store file in it. */
  remove(): void;
}

/** Creates a temporary directory (named from `prefix`); `openStore` makes a store for a fresh path without extension. */
export function testAccountings(prefix: string, openStore: (file: string) => UsageStore): TestAccountings {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let files = 0;
  return {
    dir,
    open: (options = {}) => new Accounting({ ...options, store: openStore(join(dir, `usage-${++files}`)) }),
    openBroken: (options = {}) => {
      const notADirectory = join(dir, `plain-file-${++files}`);
      writeFileSync(notADirectory, "");
      return new Accounting({ ...options, store: openStore(join(notADirectory, "usage")) });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Makes `rows(accounting, client)`: waits for `flush(client)`, then returns every stored row, newest first. */
export function rowsAfterFlush<Client>(flush: (client: Client) => Promise<void>): (accounting: Accounting, client: Client) => Promise<UsageRecord[]> {
  return async (accounting, client) => {
    await flush(client);
    return accounting.tail(-1);
  };
}

/** A global limit of 0 requests a day: spread it and change a field or two for other limits. */
export const DENY_ALL_REQUESTS = { scope: "GLOBAL", limitType: "requests", maxValue: 0, intervalUnit: "day", intervalValue: 1, model: null, username: null, callerName: null, projectName: null } as const satisfies NewUsageLimit;

/** A sink that throws `Error("sink down")` and one that rejects with `Error("sink rejected")`, in that order. */
export function failingSinks(): readonly [UsageSink, UsageSink] {
  return [
    { trackUsage: (): never => { throw new Error("sink down"); } },
    { trackUsage: async (): Promise<never> => { throw new Error("sink rejected"); } },
  ];
}

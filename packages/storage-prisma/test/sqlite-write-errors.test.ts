import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { RecordRejectedError } from "@llm-accounting/core";
import { classifySqliteWriteError } from "../src/sqlite/sqlite-write-errors.js";

/** The error better-sqlite3 really throws for `act` on a fresh in-memory table. */
function thrownBy(act: (db: Database.Database, insert: Database.Statement) => void): unknown {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE t (a)");
  const insert = db.prepare("INSERT INTO t (a) VALUES (?)");
  try {
    act(db, insert);
  } catch (error) {
    return error;
  } finally {
    if (db.open) db.close();
  }
  throw new Error("nothing was thrown");
}

describe("SQLite write errors", () => {
  it("a value that cannot be bound is the record's fault: refused for good", () => {
    const error = thrownBy((_db, insert) => insert.run({ not: "a number" } as never));
    expect(classifySqliteWriteError(error)).toBeInstanceOf(RecordRejectedError);
    const tooFew = thrownBy((_db, insert) => insert.run());
    expect(classifySqliteWriteError(tooFew)).toBeInstanceOf(RecordRejectedError);
  });

  it("a closed connection is not: the same TypeError class, but a retry after reopening can pass", () => {
    const error = thrownBy((db, insert) => {
      db.close();
      insert.run(1);
    });
    expect((error as Error).name).toBe("TypeError");
    expect(classifySqliteWriteError(error)).toBe(error);
  });
});

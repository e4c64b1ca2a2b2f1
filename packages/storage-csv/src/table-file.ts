import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, statSync, truncateSync } from "node:fs";
import { basename } from "node:path";
import { AccountingError } from "@llm-accounting/core";
import { formatRecords, parseRecords, type Field } from "./csv-format.js";
import { replaceFile, writeAll, writeFailed } from "./file-writes.js";

/** A line of a CSV file that cannot be read; names the file and the line. */
export class CorruptCsvError extends AccountingError {
  constructor(file: string, line: number, reason: string) {
    super("CORRUPT_CSV", `${basename(file)} line ${line}: ${reason}`);
  }
}

/** How a table maps its rows to CSV fields and back. */
export interface TableCodec<T extends { id: number }> {
  readonly columns: readonly string[];
  encode(row: T): Field[];
  /** Throws an Error with a reason; the table adds file and line. */
  decode(fields: Field[]): T;
}

/**
 * One CSV file holding one table, cached in memory. Callers hold the store's directory lock, so
 * the file only changes under us between calls: `refresh` re-reads only the bytes appended since
 * (or everything, when the file was rewritten), appends write whole records in one call, and
 * deletions rewrite the file through a temporary file and a rename, so a crash never leaves a
 * half-written file.
 */
/** How many of the last bytes read are kept to recognise a file that was only appended to. */
const TAIL_BYTES = 256;

export class TableFile<T extends { id: number }> {
  readonly path: string;
  readonly #codec: TableCodec<T>;
  rows: T[] = [];
  maxId = 0;
  #offset = 0;
  #lines = 0;
  #identity = "";
  #tail = Buffer.alloc(0);
  /** The file's length before this step's first append (see `begin`), or null. */
  #undoLength: number | null = null;

  readonly #fsync: boolean;

  readonly #readOnly: boolean;

  /**
   * `fsync`: flush every append to the disk before acknowledging it (survives power loss, much
   * slower). `readOnly`: never change the file (a missing file reads as empty, a torn last line is
   * skipped rather than cut off).
   */
  constructor(path: string, codec: TableCodec<T>, fsync = false, readOnly = false) {
    this.path = path;
    this.#codec = codec;
    this.#fsync = fsync;
    this.#readOnly = readOnly;
  }

  /** Creates the file with its header if it is missing or empty. */
  ensure(): void {
    if (!existsSync(this.path) || statSync(this.path).size === 0) replaceFile(this.path, formatRecords([[...this.#codec.columns]]));
    else this.#upgradeHeader();
  }

  // Newer versions only ever add columns at the end: a file whose header is a prefix of ours is
  // rewritten (temporary file, rename) with the new columns empty, so every row has every field.
  #upgradeHeader(): void {
    const whole = readFileSync(this.path, "utf8");
    const header = whole.slice(0, whole.indexOf("\n") >>> 0).replace(/\r$/, "").split(",");
    const columns = this.#codec.columns;
    if (header.length >= columns.length || header.some((name, i) => name !== columns[i])) return;
    // A torn last line (see refresh) is dropped, not padded into a record nobody acknowledged.
    const text = whole.slice(0, whole.lastIndexOf("\n") + 1);
    const records = parseRecords(text, 1).map(({ fields }, i) => (i === 0 ? [...columns] : [...fields, ...Array<Field>(columns.length - fields.length).fill(null)]));
    replaceFile(this.path, formatRecords(records));
  }

  /** Brings the cache up to date with the file. */
  refresh(): void {
    if (this.#readOnly && !existsSync(this.path)) {
      this.rows = [];
      this.maxId = 0;
      this.#forget();
      return;
    }
    const stat = statSync(this.path);
    let identity = `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    if (identity === this.#identity) return;
    const grewOnly = this.#identity !== "" && stat.ino === Number(this.#identity.split(":")[0]) && stat.size >= this.#offset && this.#sameTail();
    if (!grewOnly) {
      this.rows = [];
      this.maxId = 0;
      this.#offset = 0;
      this.#lines = 0;
      this.#tail = Buffer.alloc(0);
    }
    const fd = openSync(this.path, "r");
    try {
      let size = fstatSync(fd).size;
      let buffer = Buffer.alloc(size - this.#offset);
      readSync(fd, buffer, 0, buffer.length, this.#offset);
      // Every append ends with a newline: bytes after the last one are a write cut short by a
      // crash, before it was acknowledged. We hold the lock, so drop them rather than fail forever.
      if (buffer.length > 0 && buffer[buffer.length - 1] !== 0x0a) {
        const kept = buffer.lastIndexOf(0x0a) + 1;
        buffer = buffer.subarray(0, kept);
        size = this.#offset + kept;
        if (this.#readOnly) {
          // Not ours to cut: read past it now and again next time.
          identity = "";
        } else {
          truncateSync(this.path, size);
          const now = statSync(this.path);
          identity = `${now.ino}:${now.mtimeMs}:${now.size}`;
        }
      }
      this.#ingest(buffer.toString("utf8"));
      this.#offset = size;
      this.#tail = Buffer.concat([this.#tail, buffer]).subarray(-TAIL_BYTES);
    } finally {
      closeSync(fd);
    }
    this.#identity = identity;
  }

  // A file replaced by a rewrite can get the old inode number back and be as long as before;
  // only appending keeps the bytes we already read, so compare the last of them before trusting it.
  #sameTail(): boolean {
    const fd = openSync(this.path, "r");
    try {
      const seen = Buffer.alloc(this.#tail.length);
      const read = readSync(fd, seen, 0, seen.length, this.#offset - this.#tail.length);
      return read === seen.length && seen.equals(this.#tail);
    } finally {
      closeSync(fd);
    }
  }

  #ingest(text: string): void {
    if (text.length === 0) return;
    let records;
    try {
      records = parseRecords(text, this.#lines + 1);
    } catch (error) {
      const line = (error as { lines?: number }).lines;
      throw new CorruptCsvError(this.path, this.#lines + (line ?? 1), (error as Error).message.replace(/^Invalid \w+ \w+: /, ""));
    }
    for (const { fields, line } of records) {
      if (line === 1 && this.#lines === 0) {
        if (fields.join(",") !== this.#codec.columns.join(",")) throw new CorruptCsvError(this.path, 1, `unexpected header (expected ${this.#codec.columns.join(",")})`);
        continue;
      }
      if (fields.length !== this.#codec.columns.length) {
        throw new CorruptCsvError(this.path, line, `expected ${this.#codec.columns.length} fields, found ${fields.length}`);
      }
      let row: T;
      try {
        row = this.#codec.decode(fields);
      } catch (error) {
        throw new CorruptCsvError(this.path, line, (error as Error).message);
      }
      this.rows.push(row);
      if (row.id > this.maxId) this.maxId = row.id;
    }
    this.#lines += text.split("\n").length - 1;
  }

  /** Starts a step that `undo` can take back: appends from now on can be truncated away. */
  begin(): void {
    this.#undoLength = null;
  }

  /** Takes back this step's appends (truncates the file to its length before them). */
  undo(): void {
    if (this.#undoLength === null) return;
    truncateSync(this.path, this.#undoLength);
    this.#undoLength = null;
    this.#forget();
  }

  /**
   * Appends rows (ids assigned from the current maximum) in one write; returns them with ids.
   * A write that fails (a full disk) is truncated away and throws: no torn line stays behind, and
   * the ids are not used up.
   */
  append(rows: readonly Omit<T, "id">[]): T[] {
    const withIds = rows.map((row, i) => ({ ...row, id: this.maxId + i + 1 }) as T);
    if (withIds.length === 0) return [];
    const bytes = Buffer.from(formatRecords(withIds.map((row) => this.#codec.encode(row))), "utf8");
    // Whole records in one append: once it returns, a crash of this process cannot lose them;
    // with fsync a power cut cannot either.
    const fd = openSync(this.path, "a");
    try {
      const before = fstatSync(fd).size;
      try {
        writeAll(fd, bytes);
        if (this.#fsync) fsyncSync(fd);
      } catch (error) {
        // We hold the lock, so nobody else appended after `before`: cut back to it.
        ftruncateSync(fd, before);
        throw writeFailed(this.path, error);
      }
      this.#undoLength ??= before;
    } finally {
      closeSync(fd);
    }
    // Read back through refresh so the cache and offsets follow exactly what is on disk.
    this.refresh();
    return withIds;
  }

  /** Replaces the file with these rows (temporary file, then rename): all of them land or none. */
  rewrite(rows: readonly T[]): void {
    replaceFile(this.path, formatRecords([[...this.#codec.columns], ...rows.map((row) => this.#codec.encode(row))]));
    // The rows appended in this step are part of the new file now; there is nothing to cut.
    this.#undoLength = null;
    this.#forget();
    this.refresh();
  }

  // Drops the cache, so the next refresh reads the whole file again.
  #forget(): void {
    this.#identity = "";
  }
}

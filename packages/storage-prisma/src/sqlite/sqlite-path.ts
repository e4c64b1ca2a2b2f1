import { statSync } from "node:fs";
import { resolve, sep } from "node:path";
import { ValidationError } from "@llm-accounting/core";

/** The default database file, relative to the working directory (as in the Python original). */
export const DEFAULT_SQLITE_FILE = "data/accounting.sqlite";

const SQLITE_EXTENSIONS = [".sqlite", ".sqlite3", ".db"];
// System directories a usage database has no business in. Compared per path component, so
// `/etcetera/x.db` is fine (the original's string-prefix test blocked `/rootx`). Unlike the
// original we do not block /root: containers commonly run as root with their work under it.
const PROTECTED_DIRS = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr", "C:\\Windows", "C:\\Program Files", "C:\\Program Files (x86)"];

/** A validated SQLite location: an absolute file path, or `:memory:`. */
export type SqliteLocation = { readonly kind: "file"; readonly path: string } | { readonly kind: "memory" };

/** False also when the path cannot be examined (a parent is a file, ...): opening reports that. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** Validates a database file name (it must end with .sqlite, .sqlite3 or .db) and resolves it. */
export function resolveSqlitePath(file: string = DEFAULT_SQLITE_FILE, cwd: string = process.cwd()): SqliteLocation {
  if (typeof file !== "string" || file.trim() === "") throw new ValidationError("dbFile", "must be a non-empty path");
  if (file === ":memory:") return { kind: "memory" };
  const clean = file.replace(/^file:/, "").split("?")[0] ?? "";
  if (!SQLITE_EXTENSIONS.some((ext) => clean.toLowerCase().endsWith(ext))) {
    throw new ValidationError("dbFile", `"${file}" is not a valid database file name: it must end with .sqlite, .sqlite3 or .db`);
  }
  const path = resolve(cwd, clean);
  for (const dir of PROTECTED_DIRS) {
    const isWindowsDir = dir.includes("\\");
    if (isWindowsDir !== (sep === "\\")) continue;
    const a = isWindowsDir ? path.toLowerCase() : path;
    const b = isWindowsDir ? dir.toLowerCase() : dir;
    if (a === b || a.startsWith(b + sep)) throw new ValidationError("dbFile", `"${path}" is inside the protected system directory ${dir}`);
  }
  // SQLite itself only says "unable to open database file".
  if (isDirectory(path)) throw new ValidationError("dbFile", `"${path}" is a directory, not a database file`);
  return { kind: "file", path };
}

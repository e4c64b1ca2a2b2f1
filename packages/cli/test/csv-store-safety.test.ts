import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "llm-acct-cli-csv-safety-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the csv backend's read-only commands", () => {
  const missing = join(root, "never-written");
  const csv = ["--db-backend", "csv", "--csv-data-dir", missing];
  const reads: string[][] = [["stats", "--daily"], ["tail"], ["limits", "list"], ["prices", "list"], ["projects", "list"], ["users", "list"], ["check", "--model", "m", "--cost", "0.1"]];

  it.each(reads)("%s on a missing directory says so in one line, exits 1 and creates nothing", async (...command) => {
    const run = await cli([...csv, ...command]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: .*never-written" is not an existing CSV directory: nothing has been recorded there \(check the path\)\n$/);
    expect(existsSync(missing)).toBe(false);
  });

  it("reads a directory once a write created it", async () => {
    const dir = join(root, "written");
    expect((await cli(["--db-backend", "csv", "--csv-data-dir", dir, "track", "--model", "m", "--cost", "0.5"])).code).toBe(0);
    const tail = await cli(["--db-backend", "csv", "--csv-data-dir", dir, "tail", "--format", "json"]);
    expect(JSON.parse(tail.stdout)).toHaveLength(1);
  });
});

describe("the csv backend on a full disk", () => {
  it("refuses track in one line with a non-zero exit, and keeps what was stored", async () => {
    // A real, full file system: mount needs root (or run the tests under `unshare -rm`).
    const disk = mkdtempSync(join(tmpdir(), "llm-acct-cli-small-disk-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      throw new Error(`this test needs a real small file system and mount -t tmpfs was refused (${String((error as { stderr?: Buffer }).stderr ?? error).trim()}); run it as root or under unshare -rm`);
    }
    try {
      const csv = ["--db-backend", "csv", "--csv-data-dir", join(disk, "data")];
      expect((await cli([...csv, "track", "--model", "m", "--cost", "0.5"])).code).toBe(0);
      fillUp(join(disk, "filler"));
      // The table's last page may still take a few rows; track until the disk refuses.
      let stored = 1;
      let run = await cli([...csv, "track", "--model", "m", "--cost", "0.5"]);
      for (; run.code === 0 && stored < 200; stored++) run = await cli([...csv, "track", "--model", "m", "--cost", "0.5"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: cannot write \S+accounting_entries\.csv: the disk is full; nothing was written\n$/);
      rmSync(join(disk, "filler"));
      const ids = JSON.parse((await cli([...csv, "tail", "--format", "json", "--number", "-1"])).stdout).map((r: { id: number }) => r.id);
      expect(ids.sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
    } finally {
      execFileSync("umount", [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  }, 300_000); // a CLI run per step until the disk is full: slow on a loaded machine
});

/** Writes `file` until the disk refuses another byte. */
function fillUp(file: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = openSync(file, "w");
  try {
    for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
      try {
        while (writeSync(fd, chunk, 0, size) === size);
      } catch {
        // ENOSPC: try a smaller piece.
      }
    }
  } finally {
    closeSync(fd);
  }
}

import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A real full filesystem: a 1 MB tmpfs (needs root, as CI has). The BUILT CLI runs on it (build it
// first: `npx tsc -b`), so the error is what an operator sees.
const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
const mountPoint = mkdtempSync(join(tmpdir(), "llm-full-disk-"));
const file = join(mountPoint, "full.sqlite");
const filler = join(mountPoint, "filler");
let mounted = false;

const cli = (...args: string[]) => {
  const run = spawnSync(process.execPath, [BIN, "--db-file", file, ...args], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};
const limitsSet = (maxValue: number) => cli("limits", "set", "--scope", "GLOBAL", "--limit-type", "requests", "--max-value", String(maxValue), "--interval-unit", "day", "--interval-value", "1");
const freeBytes = () => {
  const stats = statfsSync(mountPoint);
  return stats.bavail * stats.bsize;
};

beforeAll(() => {
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint], { encoding: "utf8" });
  if (mount.error || mount.status !== 0) {
    throw new Error(`this test needs a real full filesystem: "mount -t tmpfs" failed (run as root): ${mount.error?.message ?? mount.stderr.trim()}`);
  }
  mounted = true;
  expect(cli("track", "--model", "m", "--cost", "0").code).toBe(0);
});

afterAll(() => {
  if (mounted) {
    const umount = spawnSync("umount", [mountPoint], { encoding: "utf8" });
    if (umount.status !== 0) throw new Error(`umount ${mountPoint} failed: ${umount.stderr.trim()}`);
  }
  rmSync(mountPoint, { recursive: true, force: true });
});

describe("limits set on a full disk (SQLite on a 1 MB tmpfs)", () => {
  it("fails with exactly one line naming the cause, and stores nothing half-written", () => {
    // Leave room to open the database (its -shm and -wal need some) but not to keep writing: from
    // 128 KB free, shrink 8 KB a step until the write is refused. The window where opening works
    // and writing does not is wider than a step, so the refusal comes from the write.
    writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes() - 128 * 1024)));
    let stored = 0;
    let refused: ReturnType<typeof cli> | undefined;
    for (let step = 0; step < 40 && !refused; step++) {
      const run = limitsSet(stored + 1);
      if (run.code === 0) stored += 1;
      else refused = run;
      appendFileSync(filler, Buffer.alloc(Math.min(8 * 1024, Math.max(0, freeBytes() - 4096))));
    }
    expect(refused, "the disk never filled up").toBeDefined();
    expect(refused!.code).toBe(1);
    expect(refused!.stdout).toBe("");
    expect(refused!.stderr).toBe("Error: database or disk is full\n");
    // With room again, the store holds exactly the limits that were reported as set.
    rmSync(filler);
    const list = cli("limits", "list", "--format", "json");
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { maxValue: number }[]).map((l) => l.maxValue)).toEqual(Array.from({ length: stored }, (_, i) => i + 1));
  }, 300_000); // one built-CLI process per step until the disk is full: slow on a loaded machine
});

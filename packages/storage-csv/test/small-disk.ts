import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A real, small file system (tmpfs) for full-disk tests; `unmount` removes it. */
export interface SmallDisk {
  readonly dir: string;
  /** Takes `bytes` of the disk with a file, so freeing it later makes room again. */
  ballast(bytes: number): () => void;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `size` (e.g. "2m"). Needs root, or a user namespace: when mount is refused
 * this throws with the reason and the command that works (`unshare -rm`), rather than skipping.
 */
export function mountSmallDisk(size: string): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), "llm-acct-small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    throw new Error(`the full-disk tests need a real small file system, and mount -t tmpfs was refused (${reason}); run them as root, or in a user namespace: unshare -rm npx vitest run test/full-disk.test.ts`);
  }
  let ballasts = 0;
  return {
    dir,
    ballast(bytes) {
      const file = join(dir, `ballast-${++ballasts}`);
      writeFileSync(file, Buffer.alloc(bytes, 1));
      return () => rmSync(file);
    },
    unmount() {
      execFileSync("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh directory on the disk for one test. */
export function subdir(disk: SmallDisk, name: string): string {
  const dir = join(disk.dir, name);
  mkdirSync(dir);
  return dir;
}

/** Fills every free byte of the disk with a file; returns the function that frees it again. */
export function fillUp(disk: SmallDisk): () => void {
  const file = join(disk.dir, "filler");
  const chunk = Buffer.alloc(64 * 1024, 2);
  const fd = openSync(file, "w");
  try {
    for (let size = chunk.length; size >= 1; size = Math.floor(size / 2)) {
      for (;;) {
        try {
          if (writeSync(fd, chunk, 0, size) < size) break;
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return () => rmSync(file);
}

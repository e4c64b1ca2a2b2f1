// Takes a CSV directory's lock `times` times once "go" arrives on stdin, each time appending
// "enter" and then "exit" lines to a shared log with O_APPEND, each with its pid and what the lock
// symlink is then (its inode and text), so the test can see whether two processes ever held the lock
// at once, or whether a holder's lock was replaced under it: `node lock-contender.mjs <dir> <log> <times>`.
// Prints "ready" once loaded, and "error: <message>" for a call that failed.
import { appendFileSync, lstatSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { DirLock } from "../dist/dir-lock.js";

const [dir, log, times] = process.argv.slice(2);
const lockPath = join(dir, ".lock");
const seen = () => `${process.pid} ${lstatSync(lockPath).ino} ${readlinkSync(lockPath)}`;
const pause = new Int32Array(new SharedArrayBuffer(4));
const lock = new DirLock(dir, {
  // Far beyond the test's own limits: a lock taken over here was taken because its owner is dead.
  staleMs: 600_000,
  // Widens the moment between judging a lock stale and breaking it (up to 10 ms asleep,
  // synchronously), so the other contenders act in it: on two busy cores they seldom would otherwise.
  beforeBreak: () => Atomics.wait(pause, 0, 0, Math.random() * 10),
});
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
let failed = false;
for (let i = 0; i < Number(times); i++) {
  try {
    await lock.run(async () => {
      appendFileSync(log, `enter ${seen()}\n`);
      // Hold it across a few event-loop turns, while the others wake up and try to break it.
      for (let j = 0; j < 5; j++) await new Promise((resolve) => setTimeout(resolve, 2));
      appendFileSync(log, `exit ${seen()}\n`);
    });
  } catch (error) {
    failed = true;
    process.stdout.write(`error: ${error.message}\n`);
  }
}
process.exit(failed ? 1 : 0);

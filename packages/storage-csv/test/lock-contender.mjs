// Takes a CSV directory's lock `times` times once "go" arrives on stdin, each time appending
// "enter <pid>" and then "exit <pid>" to a shared log with O_APPEND, so the test can see whether two
// processes ever held the lock at once: `node lock-contender.mjs <dir> <log> <times>`.
// Prints "ready" once loaded, and "error: <message>" for a call that failed.
import { appendFileSync } from "node:fs";
import { DirLock } from "../dist/dir-lock.js";

const [dir, log, times] = process.argv.slice(2);
// Far beyond the test's own limits: a lock taken over here was taken because its owner is dead.
const lock = new DirLock(dir, { staleMs: 600_000 });
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
let failed = false;
for (let i = 0; i < Number(times); i++) {
  try {
    await lock.run(async () => {
      appendFileSync(log, `enter ${process.pid}\n`);
      // Hold it across a few event-loop turns, so the lock's own checks run while others wait.
      for (let j = 0; j < 3; j++) await new Promise((resolve) => setTimeout(resolve, 1));
      appendFileSync(log, `exit ${process.pid}\n`);
    });
  } catch (error) {
    failed = true;
    process.stdout.write(`error: ${error.message}\n`);
  }
}
process.exit(failed ? 1 : 0);

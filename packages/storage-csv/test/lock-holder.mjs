// Holds a CSV directory's lock until a line arrives on stdin (or until killed):
// `node lock-holder.mjs <dir>`. Prints "locked" once it holds it.
import { DirLock } from "../dist/dir-lock.js";

const [dir] = process.argv.slice(2);
await new DirLock(dir).run(async () => {
  process.stdout.write("locked\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
});
process.stdout.write("released\n");
process.exit(0);

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A PostgreSQL server of the test's own (initdb into a temporary folder, its own port and
 * socket), so a test can crash it without touching the shared server other suites use. The
 * server binaries come with the system's PostgreSQL; run as root, they run as the postgres user.
 */
export interface PrivatePostgres {
  readonly url: string;
  /** Stops the server the way a power cut or OOM kill would look to it: no checkpoint, shared memory lost. */
  crash(): void;
  start(): void;
  dispose(): void;
}

/** Creates and starts a private cluster on `port`. */
export function privatePostgres(port: number): PrivatePostgres {
  const bin = postgresBin();
  const root = mkdtempSync(join(tmpdir(), "llm-acct-pg-"));
  chmodSync(root, 0o777);
  const data = join(root, "data");
  const asOwner = process.getuid?.() === 0 ? (cmd: string, args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" }) : (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  asOwner(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const start = () => asOwner(join(bin, "pg_ctl"), ["-D", data, "-l", join(root, "log"), "-w", "-o", `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on`, "start"]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    crash: () => asOwner(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]),
    start,
    dispose: () => {
      try {
        asOwner(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already stopped.
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The newest installed PostgreSQL's binaries (Debian keeps them under /usr/lib/postgresql/<major>/bin). */
function postgresBin(): string {
  const base = "/usr/lib/postgresql";
  const majors = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql (install the postgresql package)");
  return join(base, majors[0]!, "bin");
}

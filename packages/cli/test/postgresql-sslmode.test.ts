import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TEST_POSTGRES_URL } from "./helpers.js";

// The BUILT CLI (build it first: `npx tsc -b`): pg's warning is emitted by the process, so only a
// real process shows whether it reaches stderr.
const BIN = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));

/** The test server's URL with extra query parameters. */
function withParams(params: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  for (const [key, value] of new URLSearchParams(params)) url.searchParams.set(key, value);
  return url.toString();
}

describe("a PostgreSQL URL with sslmode against a server without SSL (built CLI)", () => {
  it.each(["require", "prefer", "verify-ca"])("sslmode=%s: exactly one error line on stderr, no pg warning, non-zero exit", (sslmode) => {
    const url = withParams(`sslmode=${sslmode}`);
    const runs = [
      ["--db-backend", "postgresql", "--postgresql-connection-string", url, "stats", "--daily"],
      ["--db-backend", "postgresql", "--postgresql-connection-string", url, "track", "--model", "m"],
      // The import source is a PostgreSQL URL too.
      ["--db-file", join(tmpdir(), `llm-acct-sslmode-${process.pid}.sqlite`), "import", "--from-postgresql", url],
    ];
    for (const command of runs) {
      const run = spawnSync(process.execPath, [BIN, ...command], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "", POSTGRESQL_CONNECTION_STRING: "" },
      });
      expect(run.status, command.join(" ")).not.toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^Error: [^\n]+\n$/);
      // pg's deprecation warning ("(node:PID) Warning: SECURITY WARNING: ... treated as aliases ..."),
      // which Node prints over 10 lines. (verify-ca without sslrootcert is refused, in one line.)
      expect(run.stderr).not.toMatch(/\(node:\d+\)|treated as aliases/);
    }
  });
});

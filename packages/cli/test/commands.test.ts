import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Accounting } from "@llm-accounting/core";
import { PostgresqlStore, SqliteStore } from "@llm-accounting/storage-prisma";
import { cli, createTestDatabase } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-cli-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(drops.map((drop) => drop()));
}, 180_000);

interface Backend {
  name: string;
  /** Global flags selecting a fresh, empty store. */
  fresh(): Promise<string[]>;
  /** A facade over the store the flags select (for seeding). */
  accounting(flags: string[]): Accounting;
}

let files = 0;
const backends: Backend[] = [
  {
    name: "sqlite",
    fresh: async () => ["--db-file", join(dir, `cli-${++files}.sqlite`)],
    accounting: (flags) => new Accounting({ store: new SqliteStore({ file: flags[1] }) }),
  },
  {
    name: "postgresql",
    fresh: async () => {
      const db = await createTestDatabase();
      drops.push(db.drop);
      return ["--db-backend", "postgresql", "--postgresql-connection-string", db.url];
    },
    accounting: (flags) => new Accounting({ store: new PostgresqlStore({ connectionString: flags[3], connectTimeoutMs: 30_000 }) }),
  },
];

const NOW = new Date("2025-03-14T15:00:00.000Z");
const json = (text: string) => JSON.parse(text) as Record<string, unknown> & unknown[];

for (const backend of backends) {
  describe(`CLI on ${backend.name}`, () => {
    let db: string[];
    beforeAll(async () => {
      db = await backend.fresh();
    });

    it("tracks a call with every flag and shows it in tail --format json", async () => {
      const tracked = await cli([...db, "--project-name", "fallback", "--app-name", "app0", "--user-name", "u0", "track",
        "--model", "gpt-4o", "--prompt-tokens", "1200", "--completion-tokens", "300", "--local-prompt-tokens", "1190",
        "--local-completion-tokens", "290", "--cached-tokens", "100", "--reasoning-tokens", "40", "--cost", "0.0125",
        "--execution-time", "1.5", "--timestamp", "2025-03-14 10:00:00", "--caller-name", "chat", "--username", "alice",
        "--project", "alpha", "--session", "s-1"]);
      expect(tracked).toMatchObject({ code: 0, stderr: "" });
      expect(tracked.stdout).toBe("Usage entry tracked successfully\n");
      const tail = await cli([...db, "tail", "--format", "json"]);
      expect(tail.code).toBe(0);
      const [entry] = json(tail.stdout) as Record<string, unknown>[];
      expect(entry).toMatchObject({
        model: "gpt-4o", promptTokens: 1200, completionTokens: 300, totalTokens: 1500, localPromptTokens: 1190,
        localCompletionTokens: 290, localTotalTokens: 1480, cachedTokens: 100, reasoningTokens: 40, cost: 0.0125,
        costNanos: "12500000", executionTime: 1.5, timestamp: "2025-03-14T10:00:00.000Z", callerName: "chat",
        username: "alice", project: "alpha", session: "s-1",
      });
    });

    it("applies --project-name, --app-name and --user-name when track leaves them out", async () => {
      await cli([...db, "--project-name", "proj", "--app-name", "app1", "--user-name", "bob", "track", "--model", "m-defaults", "--timestamp", "2025-03-14T11:00:00Z"]);
      const tail = await cli([...db, "tail", "-n", "1", "--format", "json"]);
      expect(json(tail.stdout)[0]).toMatchObject({ model: "m-defaults", project: "proj", callerName: "app1", username: "bob", cost: 0 });
    });

    it("prints tail as a table, newest first, with - for missing names", async () => {
      await cli([...db, "track", "--model", "bare", "--timestamp", "2025-03-14T12:00:00Z", "--cost", "2"]);
      const tail = await cli([...db, "tail", "-n", "2"]);
      expect(tail.code).toBe(0);
      const lines = tail.stdout.split("\n");
      expect(lines[0]).toContain("Last 2 Usage Entries");
      const bare = lines.find((l) => l.includes("bare"))!;
      expect(bare).toContain("2025-03-14 12:00:00");
      expect(bare).toContain("$2.0000");
      expect(bare.split("│").map((c) => c.trim())).toContain("-");
      expect(lines.findIndex((l) => l.includes("bare"))).toBeLessThan(lines.findIndex((l) => l.includes("m-defaults")));
    });

    it("reports stats for --daily and --period daily alike, in UTC", async () => {
      const a = await cli([...db, "stats", "--daily", "--format", "json"], { now: NOW });
      const b = await cli([...db, "stats", "--period", "daily", "--format", "json"], { now: NOW });
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      const report = json(a.stdout) as unknown as { period: { label: string; start: string }; totals: Record<string, unknown>; models: { model: string }[] };
      expect(report.period).toMatchObject({ label: "Daily", start: "2025-03-14T00:00:00.000Z" });
      expect(report.totals).toMatchObject({ requests: 3, sumPromptTokens: 1200, sumTotalTokens: 1500, sumCost: 2.0125 });
      expect(report.models.map((m) => m.model)).toEqual(["bare", "gpt-4o", "m-defaults"]);
      const table = await cli([...db, "stats", "--daily"], { now: NOW });
      expect(table.stdout).toContain("=== Daily Stats (2025-03-14 to 2025-03-14)");
      expect(table.stdout).toMatch(/Total Cost\s+│\s+\$2\.0125/);
      expect(table.stdout).toContain("Rankings by Cost");
    });

    it("reports a custom range with an inclusive end day", async () => {
      const inside = await cli([...db, "stats", "--start", "2025-03-14", "--end", "2025-03-14", "--format", "json"]);
      expect((json(inside.stdout) as unknown as { totals: { requests: number } }).totals.requests).toBe(3);
      const before = await cli([...db, "stats", "--start", "2025-03-01", "--end", "2025-03-13", "--format", "json"]);
      expect((json(before.stdout) as unknown as { totals: { requests: number } }).totals.requests).toBe(0);
    });

    it("takes --since/--until as days, ISO instants, ages and day words (--start/--end alike)", async () => {
      // The calls are at 10:00, 11:00 and 12:00 on 2025-03-14; now is 15:00.
      const count = async (...flags: string[]) => {
        const run = await cli([...db, "stats", ...flags, "--format", "json"], { now: NOW });
        expect(run.stderr).toBe("");
        return (json(run.stdout) as unknown as { totals: { requests: number } }).totals.requests;
      };
      expect(await count("--since", "2025-03-14T10:30:00Z", "--until", "2025-03-14T11:30:00+00:00")).toBe(1);
      expect(await count("--start", "2025-03-14 10:30:00", "--end", "2025-03-14")).toBe(2);
      expect(await count("--since", "270m")).toBe(2);
      expect(await count("--since", "330m", "--until", "210m")).toBe(2);
      expect(await count("--since", "today")).toBe(3);
      expect(await count("--since", "1d")).toBe(3);
      expect(await count("--since", "yesterday", "--until", "yesterday")).toBe(0);
    });

    it("selects read-only, as a table, CSV with quoting, or JSON", async () => {
      await cli([...db, "track", "--model", 'odd,"name"', "--project", "beta", "--timestamp", "2025-03-14T13:00:00Z"]);
      const csv = await cli([...db, "select", "--project", "beta", "--format", "csv"]);
      expect(csv.code).toBe(0);
      const [header, row] = csv.stdout.trim().split("\n");
      expect(header!.split(",")).toContain("cost_nanos");
      expect(row).toContain('"odd,""name"""');
      const rows = await cli([...db, "select", "--query", "SELECT model, prompt_tokens FROM accounting_entries WHERE project IS NULL ORDER BY model", "--format", "json"]);
      expect(json(rows.stdout)).toEqual([{ model: "bare", prompt_tokens: 0 }]);
      const none = await cli([...db, "select", "--project", "NULL", "--query", "select 1 as x where 1 = 0"]);
      expect(none.stdout).toBe("No results found\n");
      expect(none.stderr).toContain("--project argument is ignored");
    });

    it("refuses a writing query with exit 1 and changes nothing", async () => {
      const before = await cli([...db, "select", "--query", "select count(*) as n from accounting_entries", "--format", "json"]);
      for (const sql of ["DELETE FROM accounting_entries", "SELECT 1; DELETE FROM accounting_entries", "UPDATE accounting_entries SET cost_nanos = 0"]) {
        const run = await cli([...db, "select", "--query", sql]);
        expect(run.code).toBe(1);
        expect(run.stderr.trim().split("\n")).toHaveLength(1);
        expect(run.stderr).toMatch(/^Error: query /);
      }
      const after = await cli([...db, "select", "--query", "select count(*) as n from accounting_entries", "--format", "json"]);
      expect(after.stdout).toBe(before.stdout);
    });

    it("keeps money exact: 10,000 costs of 0.0001 report exactly 1 in JSON and in the table", async () => {
      const flags = await backend.fresh();
      const accounting = backend.accounting(flags);
      for (let i = 0; i < 10_000; i += 500) {
        // Batches: 10,000 single commits on PostgreSQL can outlast the test on a loaded machine.
        await accounting.trackUsageBatch(Array.from({ length: 500 }, (_, j) => ({ model: "penny", cost: 0.0001, timestamp: new Date(NOW.getTime() - (i + j) * 1000) })));
      }
      await accounting.close();
      const report = await cli([...flags, "stats", "--daily", "--format", "json"], { now: NOW });
      expect(report.stdout).toMatch(/"sumCost": 1,/);
      expect(report.stdout).toMatch(/"sumCostNanos": "1000000000"/);
      const table = await cli([...flags, "stats", "--daily"], { now: NOW });
      expect(table.stdout).toMatch(/Total Cost\s+│\s+\$1\.0000 │/);
    });

    it("purges only entries --before and --project select, saying which", async () => {
      const flags = await backend.fresh();
      const track = (day: string, project?: string) => cli([...flags, "track", "--model", "m", "--timestamp", `${day}T12:00:00Z`, ...(project ? ["--project", project] : [])]);
      for (const [day, project] of [["2025-01-01", "old"], ["2025-01-02", "keep"], ["2025-02-01", "old"], ["2025-02-02", undefined]] as const) await track(day, project);
      const models = async () => (json((await cli([...flags, "tail", "--format", "json"])).stdout) as { timestamp: string; project: string | null }[]).map((r) => `${r.timestamp.slice(0, 10)} ${r.project}`);
      const asked = await cli([...flags, "purge", "--before", "2025-02-01", "--project", "old"], { answers: ["y"] });
      expect(asked.stdout).toBe(
        "Are you sure you want to delete the usage entries recorded before 2025-02-01 00:00:00 UTC of project 'old'? This action cannot be undone. [y/n]: " +
          "Deleted the usage entries recorded before 2025-02-01 00:00:00 UTC of project 'old' (1 entry)\n",
      );
      expect(await models()).toEqual(["2025-02-02 null", "2025-02-01 old", "2025-01-02 keep"]);
      expect((await cli([...flags, "purge", "-y", "--before", "2025-02-02T00:00:00Z"])).stdout).toBe("Deleted the usage entries recorded before 2025-02-02 00:00:00 UTC (2 entries)\n");
      expect(await models()).toEqual(["2025-02-02 null"]);
      expect((await cli([...flags, "purge", "-y", "--project", "old"])).stdout).toBe("Deleted the usage entries of project 'old' (0 entries)\n");
      const bad = await cli([...flags, "purge", "-y", "--before", "last week"]);
      expect([bad.code, bad.stderr.split(" (got")[0]]).toEqual([2, "Error: --before must be a date (2025-01-31), an instant (2025-01-31T13:45:00Z), an age (7d, 24h, 30m), today, yesterday or now"]);
      expect(await models()).toEqual(["2025-02-02 null"]);
    });

    it("purges only after confirmation", async () => {
      const no = await cli([...db, "purge"], { answers: ["maybe", "n"] });
      expect(no.stdout).toContain("Please enter y or n");
      expect(no.stdout).toContain("Purge operation cancelled");
      expect(no.code).toBe(0);
      // No answer at all (a script without -y) is an error, not a quiet "cancelled".
      const eof = await cli([...db, "purge"]);
      expect(eof.code).toBe(1);
      expect(eof.stderr).toBe("Error: purge needs a yes: input ended before an answer (pass -y to purge without asking)\n");
      expect(eof.stdout).not.toContain("cancelled");
      expect(json((await cli([...db, "tail", "--format", "json"])).stdout).length).toBeGreaterThan(0);
      const yes = await cli([...db, "purge"], { answers: ["y"] });
      expect(yes.stdout).toMatch(/All usage entries have been deleted \(\d+ entries\)/);
      expect((await cli([...db, "tail"])).stdout).toBe("No usage entries found\n");
      await cli([...db, "track", "--model", "again"]);
      expect((await cli([...db, "purge", "-y"])).stdout).toContain("(1 entry)");
    });
  });
}

describe("bad input: one line on stderr, non-zero exit, nothing written", () => {
  const file = join(dir, "untouched.sqlite");
  const cases: [string, string[], number, RegExp][] = [
    ["unknown option", ["--db-file", file, "track", "--model", "m", "--bogus-flag", "1"], 2, /^Error: unknown option --bogus-flag \(see "llm-accounting --help"\)$/],
    ["unknown command", ["--db-file", file, "explode"], 2, /^Error: unknown command "explode" \(see "llm-accounting --help"\)$/],
    ["mistyped command", ["--db-file", file, "stast", "--daily"], 2, /^Error: unknown command "stast"; did you mean "stats"\? \(see "llm-accounting --help"\)$/],
    ["mistyped subcommand", ["--db-file", file, "limits", "lsit"], 2, /^Error: unknown command "lsit"; did you mean "list"\? /],
    ["mistyped option", ["--db-file", file, "stats", "--daily", "--sesion", "s1"], 2, /^Error: unknown option --sesion; did you mean --session\? /],
    ["mistyped global option", ["--db-fil", file, "tail"], 2, /^Error: unknown option --db-fil; did you mean --db-file\? /],
    ["stray argument", ["--db-file", file, "tail", "extra"], 2, /^Error: unexpected argument "extra"/],
    ["cache tokens beyond prompt tokens", ["--db-file", file, "track", "--model", "m", "--prompt-tokens", "10", "--cached-tokens", "8", "--cache-write-tokens", "3"], 2, /--cached-tokens plus --cache-write-tokens \(11\) must not exceed --prompt-tokens \(10\)/],
    ["1-hour cache writes beyond the writes", ["--db-file", file, "track", "--model", "m", "--prompt-tokens", "10", "--cache-write-tokens", "3", "--cache-write-1h-tokens", "4"], 2, /^Error: --cache-write-1h-tokens \(4\) must not exceed --cache-write-tokens \(3\): they are part of it/],
    ["negative 1-hour cache writes", ["--db-file", file, "track", "--model", "m", "--cache-write-1h-tokens", "-1"], 2, /--cache-write-1h-tokens must be a non-negative integer/],
    ["negative 1-hour cache-write price", ["--db-file", file, "prices", "set", "--model", "m", "--input", "1", "--output", "1", "--cache-write-1h", "-2"], 2, /--cache-write-1h must be a non-negative number/],
    ["reasoning beyond completion tokens", ["--db-file", file, "track", "--model", "m", "--reasoning-tokens", "50", "--completion-tokens", "10"], 2, /--reasoning-tokens \(50\) must not exceed --completion-tokens \(10\)/],
    ["--until without --since", ["--db-file", file, "stats", "--until", "2025-01-01"], 2, /--since is required with --until/],
    ["--since and --start", ["--db-file", file, "stats", "--since", "7d", "--start", "2025-01-01"], 2, /since and start are mutually exclusive/],
    ["bad --since", ["--db-file", file, "stats", "--since", "tomorrow"], 2, /^Error: --since must be a date \(2025-01-31\), an instant .*, an age \(7d, 24h, 30m\), today, yesterday or now \(got "tomorrow"\)/],
    ["missing --model", ["--db-file", file, "track", "--cost", "1"], 2, /Missing required argument: model/],
    ["non-numeric tokens", ["--db-file", file, "track", "--model", "m", "--prompt-tokens", "ten"], 2, /--prompt-tokens must be a non-negative integer \(got "ten"\)/],
    ["fractional tokens", ["--db-file", file, "track", "--model", "m", "--completion-tokens", "1.5"], 2, /--completion-tokens must be a non-negative integer/],
    ["negative cost", ["--db-file", file, "track", "--model", "m", "--cost", "-0.5"], 2, /--cost must be a non-negative number/],
    ["unparsable timestamp", ["--db-file", file, "track", "--model", "m", "--timestamp", "yesterday"], 2, /--timestamp must be a timestamp/],
    ["impossible date", ["--db-file", file, "track", "--model", "m", "--timestamp", "2025-02-30 10:00:00"], 2, /--timestamp must be a timestamp/],
    ["blank model", ["--db-file", file, "track", "--model", "  "], 1, /--model must be a non-empty string/],
    ["stats without a period", ["--db-file", file, "stats"], 2, /Please specify a time period/],
    ["bad --start", ["--db-file", file, "stats", "--start", "2025-1-1", "--end", "2025-01-02"], 2, /--start must be a date \(2025-01-31\)/],
    ["impossible --until", ["--db-file", file, "stats", "--since", "2025-02-01", "--until", "2025-02-30"], 2, /--until must be a date/],
    ["bad select project", ["--db-file", file, "select", "--project", "x' OR 1=1 --"], 2, /not a valid project name/],
    ["bad period choice", ["--db-file", file, "stats", "--period", "hourly"], 2, /Invalid values/],
  ];
  for (const [name, argv, code, message] of cases) {
    it(name, async () => {
      const run = await cli(argv);
      expect(run.code).toBe(code);
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(existsSync(file)).toBe(false);
    });
  }

  it("refuses a --db-file that does not exist for a command that only reads, and creates nothing", async () => {
    const typo = join(dir, "typo.sqlite");
    for (const argv of [["tail"], ["stats", "--daily"], ["limits", "list"], ["check", "--model", "m"]]) {
      const run = await cli(["--db-file", typo, ...argv]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: --db-file ".*typo\.sqlite" does not exist: nothing has been recorded there \(check the path, or record a call first\)\n$/);
    }
    expect(existsSync(typo)).toBe(false);
    // Writing creates it, as before; then reading works.
    expect((await cli(["--db-file", typo, "track", "--model", "m"])).code).toBe(0);
    expect((await cli(["--db-file", typo, "tail"])).code).toBe(0);
  });

  it("says so when --db-file is a directory", async () => {
    const folder = join(dir, "folder.sqlite");
    mkdirSync(folder);
    const run = await cli(["--db-file", folder, "tail"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: --db-file ".*folder\.sqlite" is a directory, not a database file\n$/);
  });

  it("rejects a badly named database file", async () => {
    const run = await cli(["--db-file", join(dir, "usage.txt"), "tail"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: --db-file ".*usage\.txt" is not a valid database file name: it must end with \.sqlite, \.sqlite3 or \.db\n$/);
    expect(existsSync(join(dir, "usage.txt"))).toBe(false);
  });

  it("rejects an unwritable database location", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a directory");
    const run = await cli(["--db-file", join(blocker, "usage.sqlite"), "track", "--model", "m"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot create the directory for .*a-file\/usage\.sqlite/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects a system directory", async () => {
    const run = await cli(["--db-file", "/etc/llm-accounting.sqlite", "tail"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/protected system directory \/etc/);
  });

  it("reports an unreachable PostgreSQL in one line", async () => {
    const run = await cli(["--postgresql-connection-string", "postgresql://postgres@127.0.0.1:1/none", "tail"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("Error: cannot open PostgreSQL postgresql://postgres@127.0.0.1:1/none: connection refused (is the server running and reachable?)\n");
  });

  it("hides the password of a connection string in messages", async () => {
    const run = await cli(["--postgresql-connection-string", "postgresql://postgres:s3cret@127.0.0.1:1/none", "tail"]);
    expect(run.stderr).not.toContain("s3cret");
    expect(run.stderr).toContain("postgres:***@");
  });

  it("requires a connection string for the postgresql backend", async () => {
    const run = await cli(["--db-backend", "postgresql", "tail"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--postgresql-connection-string is required/);
  });

  it("takes the connection string from POSTGRESQL_CONNECTION_STRING", async () => {
    const run = await cli(["--db-backend", "postgresql", "tail"], { env: { POSTGRESQL_CONNECTION_STRING: "postgresql://postgres@127.0.0.1:1/envdb" } });
    expect(run.stderr).toContain("127.0.0.1:1/envdb");
  });
});

describe("help and version", () => {
  for (const command of ["track", "stats", "tail", "purge", "select"]) {
    it(`${command} --help`, async () => {
      const run = await cli([command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`llm-accounting ${command}`);
      expect(run.stdout).toContain("--db-file");
    });
  }
  it("no command prints the help on stderr and exits 2, with or without global options", async () => {
    for (const argv of [[], ["--db-file", join(dir, "no-command.sqlite")], ["--enforce-user-names"]]) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/Commands:[\s\S]*track[\s\S]*select/);
      expect(run.stderr).toMatch(/\nError: no command given \(see "llm-accounting --help"\)\n$/);
    }
    expect(existsSync(join(dir, "no-command.sqlite"))).toBe(false);
  });
  it("--version", async () => {
    const run = await cli(["--version"]);
    expect(run.stdout).toMatch(/^llm-accounting \d+\.\d+\.\d+\n$/);
  });
});

describe("the backend the environment names", () => {
  it("is PostgreSQL when $POSTGRESQL_CONNECTION_STRING is set and no --db-file is given", async () => {
    const db = await createTestDatabase();
    drops.push(db.drop);
    const env = { POSTGRESQL_CONNECTION_STRING: db.url };
    expect((await cli(["track", "--model", "from-env", "--cost", "1"], { env })).code).toBe(0);
    const file = join(dir, "env-and-file.sqlite");
    expect((await cli(["--db-file", file, "track", "--model", "local"], { env })).code).toBe(0);
    const models = async (flags: string[]) => (JSON.parse((await cli([...flags, "tail", "--format", "json"])).stdout) as { model: string }[]).map((r) => r.model);
    expect(await models(["--db-backend", "postgresql", "--postgresql-connection-string", db.url])).toEqual(["from-env"]);
    expect(await models(["--db-file", file])).toEqual(["local"]);
  });
});

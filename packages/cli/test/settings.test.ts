import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "./helpers.js";

// Where the store is: the flag, else the environment, else the config file, else data/accounting.sqlite.
const dir = mkdtempSync(join(tmpdir(), "llm-acct-settings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);
const models = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const run = await cli([...args, "tail", "--format", "json"], { env });
  expect(run.stderr).toBe("");
  return (JSON.parse(run.stdout) as { model: string }[]).map((r) => r.model);
};
const track = async (args: string[], model: string, env: NodeJS.ProcessEnv = {}) => expect((await cli([...args, "track", "--model", model, "--cost", "0"], { env })).code).toBe(0);

describe("store settings: flag, environment, config file, default", () => {
  const config = file("settings.json");
  writeFileSync(config, JSON.stringify({ dbFile: "from-config.sqlite", timezone: "Asia/Tokyo", projectName: "configured" }));

  it("takes the store from the config file, a relative path from the file's folder", async () => {
    await track(["--config", config], "in-config-store");
    expect(existsSync(file("from-config.sqlite"))).toBe(true);
    expect(await models(["--config", config])).toEqual(["in-config-store"]);
    // Other global options too: the default project of tracked calls.
    const row = JSON.parse((await cli(["--config", config, "tail", "--format", "json"])).stdout)[0];
    expect(row.project).toBe("configured");
  });

  it("lets the environment beat the config file, and a flag beat both", async () => {
    const env = { LLM_ACCOUNTING_DB_FILE: file("from-env.sqlite"), LLM_ACCOUNTING_CONFIG: config };
    await track([], "in-env-store", env);
    expect(await models([], env)).toEqual(["in-env-store"]);
    await track(["--db-file", file("from-flag.sqlite")], "in-flag-store", env);
    expect(await models(["--db-file", file("from-flag.sqlite")], env)).toEqual(["in-flag-store"]);
    expect(await models(["--config", config])).toEqual(["in-config-store"]);
  });

  it("chooses the store as a whole: a flag's CSV directory is not mixed with the environment's SQLite file", async () => {
    const env = { LLM_ACCOUNTING_DB_FILE: file("from-env.sqlite") };
    await track(["--db-backend", "csv", "--csv-data-dir", file("csv")], "in-csv", env);
    expect(await models(["--db-backend", "csv", "--csv-data-dir", file("csv")], env)).toEqual(["in-csv"]);
    // The environment can name the backend alone, or with its location.
    const csvEnv = { LLM_ACCOUNTING_DB_BACKEND: "csv", LLM_ACCOUNTING_CSV_DATA_DIR: file("csv") };
    expect(await models([], csvEnv)).toEqual(["in-csv"]);
  });

  it("reads --timezone from the environment or the config file", async () => {
    const now = new Date("2025-07-15T20:30:00Z");
    const stats = async (args: string[], env: NodeJS.ProcessEnv = {}) => JSON.parse((await cli([...args, "stats", "--daily", "--format", "json"], { env, now })).stdout).period.start;
    expect(await stats(["--config", config])).toBe("2025-07-15T15:00:00.000Z");
    expect(await stats(["--config", config], { LLM_ACCOUNTING_TIMEZONE: "UTC" })).toBe("2025-07-15T00:00:00.000Z");
    expect(await stats(["--config", config, "--timezone", "Europe/Paris"])).toBe("2025-07-14T22:00:00.000Z");
  });

  it("refuses a config file that is missing, not JSON, or has an unknown or mistyped setting, in one line", async () => {
    const bad = (name: string, text: string) => (writeFileSync(file(name), text), file(name));
    const cases: [string, RegExp][] = [
      [file("missing.json"), /^Error: cannot read the config file .*missing\.json \(from --config\): no such file/],
      [bad("broken.json", "{ not json"), /^Error: cannot read the config file .*broken\.json \(from --config\): /],
      [bad("unknown.json", '{"dbfile": "x.sqlite"}'), /^Error: the config file .*unknown\.json has an unknown setting "dbfile" \(settings are global options: /],
      [bad("typed.json", '{"dbFile": 3}'), /^Error: the config file .*typed\.json: "dbFile" must be a string \(got 3\)/],
      [bad("choice.json", '{"dbBackend": "mysql"}'), /^Error: the config file .*choice\.json: "dbBackend" must be one of sqlite, postgresql, csv/],
    ];
    for (const [path, message] of cases) {
      const run = await cli(["--config", path, "tail"]);
      expect(run.code, path).toBe(2);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });

  it("finds ./llm-accounting.json in the working directory of the real bin", () => {
    const work = file("project");
    mkdirSync(work);
    writeFileSync(join(work, "llm-accounting.json"), JSON.stringify({ dbFile: "usage/acct.sqlite" }));
    const bin = fileURLToPath(new URL("../bin/llm-accounting.js", import.meta.url));
    const run = spawnSync(process.execPath, [bin, "track", "--model", "m", "--cost", "0"], { cwd: work, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(existsSync(join(work, "usage", "acct.sqlite"))).toBe(true);
    expect(existsSync(join(work, "data"))).toBe(false);
  });
});

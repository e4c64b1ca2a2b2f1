import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkInput, type CheckArgs } from "../src/commands/check.js";
import { cli, freshStores } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-check-names-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const [[, freshSqlite]] = freshStores(dir, []) as [[string, () => Promise<string[]>]];

describe("check: the global defaults are applied once, by core", () => {
  it("puts only the names its own flags give in the check input, the project spelled `project`", () => {
    const args = { model: "m", format: "text", userName: "global-user", appName: "global-app", projectName: "global-project" } as CheckArgs;
    expect(checkInput(args)).toMatchObject({ username: null, callerName: null, project: null });
    expect(checkInput({ ...args, username: "u", callerName: "c", project: "p" })).toMatchObject({ username: "u", callerName: "c", project: "p" });
    expect(checkInput(args)).not.toHaveProperty("projectName");
  });

  it("still checks a call under --project-name, --user-name and $USER when its own flags name none", async () => {
    const db = await freshSqlite();
    const deny = (scope: string, selector: string[]) => cli([...db, "limits", "set", "--scope", scope, "--limit-type", "requests", "--max-value", "0", "--interval-unit", "day", "--interval-value", "1", ...selector]);
    expect((await deny("PROJECT", ["--project-name", "P9"])).code).toBe(0);
    expect((await deny("USER", ["--username", "env-user"])).code).toBe(0);
    const env = { USER: "someone" };
    expect((await cli([...db, "--project-name", "P9", "check", "--model", "m"], { env })).code).toBe(3);
    expect((await cli([...db, "--project-name", "P9", "check", "--model", "m", "--project", "other"], { env })).code).toBe(0);
    expect((await cli([...db, "check", "--model", "m"], { env: { USER: "env-user" } })).code).toBe(3);
    expect((await cli([...db, "--user-name", "flag-user", "check", "--model", "m"], { env: { USER: "env-user" } })).code).toBe(0);
  });
});

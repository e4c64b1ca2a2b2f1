import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "@llm-accounting/core";
import { DirLock } from "../src/dir-lock.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-dirlock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("directory lock", () => {
  it("reports a lock lost mid-work as an error of that call, not a process crash, and stays usable", async () => {
    const lock = new DirLock(dir, { staleMs: 2_000 });
    const lost = lock.run(async () => {
      // Someone removed the lock (an operator, a cleanup job): the refresh notices it.
      rmSync(join(dir, ".lock"), { recursive: true, force: true });
      // Many short sleeps, not one: after a stall of the whole process, one long timer could fire
      // in the same turn as the lock's refresh timer and end the work before the refresh sees the loss.
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      return "done";
    });
    await expect(lost).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(lost).rejects.toThrow(/lost the lock on .* while working/);
    expect(await lock.run(() => "next")).toBe("next");
  });
});

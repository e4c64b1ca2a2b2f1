import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Accounting, NAME_MAX_LENGTH, ValidationError } from "@llm-accounting/core";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { AuditLogger } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "llm-acct-audit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date("2025-07-01T09:00:00.000Z");
const ctx = { appName: "chat", userName: "ann", model: "gpt-4o", project: "p1", session: "s1" };

describe("AuditLogger on a real SQLite store", () => {
  it("logs prompts, responses and events with defaults, and reads them back filtered", async () => {
    const logger = new AuditLogger(new SqliteStore({ file: join(dir, "a.sqlite") }), { now: () => NOW });
    const prompt = await logger.logPrompt(ctx, "What is 2+2?");
    expect(prompt).toMatchObject({ logType: "prompt", promptText: "What is 2+2?", responseText: null, timestamp: NOW, session: "s1" });
    await logger.logResponse({ ...ctx, timestamp: "2025-07-01T09:00:01Z" }, "4", "cmpl-9");
    await logger.logEvent({ appName: "chat", userName: "bob", model: "gpt-4o", logType: "tool_call", timestamp: "2025-07-01T09:00:02Z" });
    const all = await logger.getEntries();
    expect(all.map((e) => e.logType)).toEqual(["tool_call", "response", "prompt"]);
    expect(all[1]).toMatchObject({ responseText: "4", remoteCompletionId: "cmpl-9", project: "p1" });
    expect((await logger.getEntries({ userName: "ann", logType: "response" })).length).toBe(1);
    expect((await logger.getEntries({ start: "2025-07-01T09:00:01Z", limit: 1 })).map((e) => e.logType)).toEqual(["tool_call"]);
    expect((await logger.getEntries({ project: null })).map((e) => e.userName)).toEqual(["bob"]);
    await logger.close();
  });

  it("redacts prompt and response text before it is stored", async () => {
    const file = join(dir, "redact.sqlite");
    const logger = new AuditLogger(new SqliteStore({ file }), { redact: (text) => text.replace(/[\w.]+@[\w.]+/g, "[email]") });
    await logger.logPrompt(ctx, "mail me at ann@example.com");
    await logger.logResponse(ctx, "sent to ann@example.com");
    await logger.close();
    const raw = await new Accounting({ store: new SqliteStore({ file }) }).select("SELECT prompt_text, response_text FROM audit_log_entries ORDER BY id");
    expect(raw.rows).toEqual([
      { prompt_text: "mail me at [email]", response_text: null },
      { prompt_text: null, response_text: "sent to [email]" },
    ]);
  });

  it("refuses entries without app, user, model or type, and bad timestamps or limits", async () => {
    const logger = new AuditLogger(new SqliteStore({ file: join(dir, "bad.sqlite") }));
    await expect(logger.logEvent({ ...ctx, appName: "", logType: "event" })).rejects.toThrow("appName must be a non-empty string");
    await expect(logger.logEvent({ ...ctx, logType: " " })).rejects.toThrow("logType must be a non-empty string");
    await expect(logger.logPrompt({ ...ctx, timestamp: "later" }, "x")).rejects.toBeInstanceOf(ValidationError);
    await expect(logger.getEntries({ limit: -1 })).rejects.toThrow("limit must be a non-negative integer");
    expect(await logger.getEntries()).toEqual([]);
    await logger.close();
  });
});

describe("AuditLogger text a store can keep", () => {
  it("refuses a NUL character, an unpaired surrogate or an over-long name with one line naming the field, and stores nothing", async () => {
    const logger = new AuditLogger(new SqliteStore({ file: join(dir, "storable.sqlite") }), { now: () => NOW });
    await expect(logger.logPrompt(ctx, "a\u0000b")).rejects.toThrow(new ValidationError("promptText", "must not contain a NUL character (\\u0000, at index 1)"));
    await expect(logger.logResponse(ctx, "ok\uDC00")).rejects.toThrow(/^responseText must be valid Unicode/);
    await expect(logger.logPrompt({ ...ctx, appName: "a".repeat(NAME_MAX_LENGTH + 1) }, "hi")).rejects.toThrow(new ValidationError("appName", `must be at most ${NAME_MAX_LENGTH} characters (got ${NAME_MAX_LENGTH + 1})`));
    await expect(logger.logEvent({ ...ctx, logType: "event", session: "s\u0000" })).rejects.toThrow(ValidationError);
    await expect(logger.logResponse(ctx, "ok", "id\u0000")).rejects.toThrow(/^remoteCompletionId/);
    // Redaction runs first: a redactor that removes the NUL makes the text storable.
    const redacting = new AuditLogger(logger.store, { now: () => NOW, redact: (text) => text.replaceAll("\u0000", "") });
    await redacting.logPrompt(ctx, "a\u0000b");
    expect((await logger.getEntries()).map((entry) => entry.promptText)).toEqual(["ab"]);
    await logger.close();
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import stringWidth from "string-width";
import { afterAll, describe, expect, it } from "vitest";
import { renderTable, runCli, type CliIo, type Column } from "../src/index.js";
import { wrapToWidth } from "../src/format/table-layout.js";

const right = "right" as const;
const columns: Column[] = [
  { header: "Timestamp" },
  { header: "Model" },
  { header: "Project" },
  { header: "User" },
  { header: "Prompt Tokens", align: right },
  { header: "Cost", align: right },
];
const rows = [
  ["2025-01-31 13:45:00", "gpt-4o-mini-2024-07-18", "サポート窓口 チーム", "alice", "1,234,567,890", "$12,345.6789"],
  ["2025-01-31 13:46:00", "claude-sonnet-4-5", "👩‍💻 dev tools", "bob", "7", "$0.0001"],
];

describe("renderTable", () => {
  it("keeps every line the same width in terminal cells, with CJK and emoji cells", () => {
    const lines = renderTable(columns, rows);
    const widths = new Set(lines.map((line) => stringWidth(line)));
    expect(widths.size).toBe(1);
  });

  it("never cuts a number, at any terminal width", () => {
    for (let maxWidth = 20; maxWidth <= 160; maxWidth += 7) {
      const text = renderTable(columns, rows, { maxWidth }).join("\n");
      for (const value of ["1,234,567,890", "$12,345.6789", "7", "$0.0001"]) expect(text, `at ${maxWidth} columns`).toContain(value);
      expect(text).not.toContain("…");
    }
  });

  it("fits a narrow terminal by wrapping text between words, then hiding text columns from the right, and says which", () => {
    const lines = renderTable(columns, rows, { maxWidth: 70 });
    const table = lines.filter((line) => /^[┏┃┡│└]/.test(line));
    expect(Math.max(...table.map((line) => stringWidth(line)))).toBeLessThanOrEqual(70);
    expect(lines.at(-1)).toBe("(Project, User hidden to fit 70 columns: widen the terminal, or use --format csv or json)");
    // The timestamp wraps at its space rather than mid-date; no cell text is lost.
    expect(table.some((line) => line.startsWith("│ 2025-01-31 ") && !line.includes("13:45"))).toBe(true);
    const cells = table.join("\n");
    for (const part of ["13:45:00", "gpt-4o-mini-2024-", "07-18", "claude-sonnet-4-5"]) expect(cells).toContain(part);
  });

  it("wraps text between words at a width where hiding is not needed", () => {
    const cells = renderTable(columns, rows, { maxWidth: 100 }).join("\n");
    expect(cells).not.toContain("hidden");
    for (const part of ["サポート窓口", "チーム", "👩‍💻", "dev", "alice"]) expect(cells).toContain(part);
  });

  it("keeps the first column and every number column whole even when they alone are wider than the terminal", () => {
    const lines = renderTable(columns, rows, { maxWidth: 30 });
    expect(lines.at(-1)).toBe("(Model, Project, User hidden to fit 30 columns: widen the terminal, or use --format csv or json)");
    expect(lines[1]).toMatch(/^┃ Timestamp +┃ Prompt Tokens ┃ +Cost ┃$/);
    expect(lines[3]).toBe("│ 2025-01-31 │ 1,234,567,890 │ $12,345.6789 │");
  });

  it("renders a table of 200,000 rows", () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ["2025-01-31 13:45:00", "gpt-4o", "p", "u", String(i), "$0.0001"]);
    const lines = renderTable(columns, many, { maxWidth: 100 });
    expect(lines).toHaveLength(200_000 + 4);
    expect(lines.at(-2)).toContain("199999");
  });
});

describe("wrapToWidth", () => {
  it("breaks between words, and inside a word only between whole graphemes", () => {
    expect(wrapToWidth("support bot team", 11)).toEqual(["support bot", "team"]);
    expect(wrapToWidth("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrapToWidth("日本語のモデル", 5)).toEqual(["日本", "語の", "モデ", "ル"]);
    expect(wrapToWidth("👩‍💻👩‍💻👩‍💻", 4)).toEqual(["👩‍💻👩‍💻", "👩‍💻"]);
  });
});

describe("tables on a terminal", () => {
  const dir = mkdtempSync(join(tmpdir(), "llm-acct-table-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tail on a 60-column terminal shows whole costs and token counts and says what it hid", async () => {
    const db = ["--db-file", join(dir, "t.sqlite")];
    let stdout = "";
    const io = (columns: number): CliIo => ({
      stdout: { write: (t: string) => (stdout += t), isTTY: true, columns },
      stderr: { write: () => true },
      readLine: async () => null,
      env: {},
      now: () => new Date("2025-02-01T00:00:00Z"),
    });
    const track = ["track", "--model", "a-rather-long-model-name-2025-01-31", "--prompt-tokens", "123456789", "--completion-tokens", "1", "--cost", "98765.4321", "--project", "research and development", "--timestamp", "2025-01-31T10:00:00Z"];
    expect(await runCli([...db, ...track], io(60))).toBe(0);
    stdout = "";
    expect(await runCli([...db, "tail"], io(60))).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    for (const value of ["123,456,789", "$98765.4321", "123,456,790"]) expect(stdout).toContain(value);
    expect(lines.at(-1)).toMatch(/^\(.*User hidden to fit 60 columns/);
  });

  it("select right-aligns number columns and never cuts them on a narrow terminal", async () => {
    const db = ["--db-file", join(dir, "t.sqlite")];
    let stdout = "";
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t), isTTY: true, columns: 40 }, stderr: { write: () => true }, readLine: async () => null, env: {}, now: () => new Date() };
    const query = "SELECT model, prompt_tokens, cost_nanos FROM accounting_entries";
    expect(await runCli([...db, "select", "--query", query], io)).toBe(0);
    expect(stdout).toMatch(/│ +123456789 │ 98765432100000 │/);
    expect(stdout).toContain("a-rather-lon");
  });
});

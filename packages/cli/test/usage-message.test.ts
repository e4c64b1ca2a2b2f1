import { describe, expect, it } from "vitest";
import { closestMatch, editDistance } from "../src/suggest.js";
import { describeRecommendation, describeUnknownArguments } from "../src/usage-message.js";

const COMMANDS = ["track", "tail", "limits"];
const say = (message: string, ...argv: string[]) => describeUnknownArguments(message, argv, COMMANDS);

describe("unknown arguments, as the user typed them", () => {
  it("names an unknown option once, in the spelling typed", () => {
    expect(say("Unknown arguments: bogus-flag, bogusFlag", "track", "--model", "m", "--bogus-flag", "1")).toBe("unknown option --bogus-flag");
    expect(say("Unknown argument: bogus", "track", "--bogus=1")).toBe("unknown option --bogus");
    expect(say("Unknown argument: bogus", "track", "--no-bogus")).toBe("unknown option --no-bogus");
    expect(say("Unknown argument: x", "tail", "--x")).toBe("unknown option --x");
    expect(say("Unknown arguments: x, y", "tail", "-xy")).toBe("unknown option -x; unknown option -y");
  });

  it("reports a mistyped command alone, even after a boolean global flag", () => {
    expect(say("Unknown argument: explode", "--db-file", "a.db", "explode")).toBe('unknown command "explode"');
    expect(say("Unknown argument: explode", "--enforce-user-names", "explode")).toBe('unknown command "explode"');
    expect(say("Unknown arguments: model, trak", "trak", "--model", "m")).toBe('unknown command "trak"');
  });

  it("calls a word after the command a stray argument", () => {
    expect(say("Unknown argument: extra", "tail", "extra")).toBe('unexpected argument "extra"');
    expect(say("Unknown argument: sett", "limits", "sett")).toBe('unexpected argument "sett"');
  });

  it("leaves other messages alone", () => {
    expect(say("Missing required argument: model", "track")).toBeUndefined();
  });
});

describe("did you mean", () => {
  it("counts a swap of neighbouring letters as one edit", () => {
    expect(editDistance("stast", "stats")).toBe(1);
    expect(editDistance("tial", "tail")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("suggests only a close candidate, never the word itself", () => {
    expect(closestMatch("stast", ["track", "stats", "tail"])).toBe("stats");
    expect(closestMatch("sesion", ["session", "since"])).toBe("session");
    expect(closestMatch("x", ["n", "yes"])).toBeUndefined();
    expect(closestMatch("explode", ["export", "select"])).toBeUndefined();
    expect(closestMatch("TAIL", ["tail"])).toBe("tail");
  });

  it("suggests the command's own option, in the spelling typed", () => {
    const options = ["help", "version", "db-file", "session", "dbFile", "s"];
    expect(describeUnknownArguments("Unknown argument: sesion", ["stats", "--sesion", "x"], COMMANDS, options)).toBe("unknown option --sesion; did you mean --session?");
    expect(describeUnknownArguments("Unknown arguments: db-fil, dbFil", ["--db-fil", "x", "tail"], COMMANDS, options)).toBe("unknown option --db-fil; did you mean --db-file?");
    expect(describeUnknownArguments("Unknown argument: bogus", ["tail", "--bogus"], COMMANDS, options)).toBe("unknown option --bogus");
  });

  it("names the mistyped command beside yargs' recommendation", () => {
    expect(describeRecommendation("Did you mean stats?", "stast")).toBe('unknown command "stast"; did you mean "stats"?');
    expect(describeRecommendation("Unknown argument: x", "x")).toBeUndefined();
  });
});

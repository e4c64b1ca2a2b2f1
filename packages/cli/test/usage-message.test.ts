import { describe, expect, it } from "vitest";
import { describeUnknownArguments } from "../src/usage-message.js";

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

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const storeDir = new URL("../src/store/", import.meta.url);
const importsOf = (file: string) => [...readFileSync(new URL(file, storeDir), "utf8").matchAll(/^(?:import|export)\b[^;]*?\bfrom "([^"]+)"/gm)].map((m) => m[1]!);

// The store contract is one place: an adapter (or a reader) finds every type it needs under
// src/store/, and the contract cannot pull the rest of core into a circle through its types.
describe("the store contract's home", () => {
  it("src/store imports nothing of core outside it but the error classes", () => {
    const files = readdirSync(storeDir).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("usage-store.ts");
    const outside = files.flatMap((file) => importsOf(file).filter((from) => !from.startsWith("./") && from !== "../errors.js").map((from) => `${file}: ${from}`));
    expect(outside).toEqual([]);
  });
});

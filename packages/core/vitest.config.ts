import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Core runs the store contract kit against the reference store (test/contract). The kit depends
// on core, so core cannot list it as a dependency: turbo refuses a cycle in the package graph,
// even through devDependencies. Core's tests reach the kit's public entries by these aliases
// instead, on its sources; tsconfig.check.json maps the same names for the type check.
const testkit = (entry: string) => fileURLToPath(new URL(`../testkit/src/${entry}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@llm-accounting\/testkit$/, replacement: testkit("index.ts") },
      { find: /^@llm-accounting\/testkit\/memory$/, replacement: testkit("memory/index.ts") },
    ],
  },
  test: {
    // Property tests run thousands of cases; a loaded 2-core CI machine needs more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

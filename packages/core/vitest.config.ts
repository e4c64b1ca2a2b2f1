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
    // Test files share one module graph per worker: re-importing it for each file cost more than the
    // tests (core: 20 s -> 6 s). No file here mocks a module, the one thing that needs a fresh graph.
    isolate: false,
    // Property tests run thousands of cases; a loaded 2-core CI machine needs more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

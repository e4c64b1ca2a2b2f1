import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Test files share one module graph per worker: re-importing it for each file cost more than the
    // tests (core: 20 s -> 6 s). No file here mocks a module, the one thing that needs a fresh graph.
    isolate: false,
    // Each file starts real processes and databases; one file at a time keeps a 2-core CI machine
    // from timing out workers that are only waiting for a core.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});

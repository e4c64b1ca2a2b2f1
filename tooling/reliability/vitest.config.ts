import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each file starts real processes and databases; one file at a time keeps a 2-core CI machine
    // from timing out workers that are only waiting for a core.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One browser and one server for the whole file. Chromium on 2 cores shared with the rest of
    // the suite runs 10-20x slower than alone (a 2 s test took 30 s in CI), so waits are generous:
    // a broken page still fails, on a missing element or a wrong figure, just later.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    expect: { poll: { timeout: 30_000 } },
    fileParallelism: false,
  },
});

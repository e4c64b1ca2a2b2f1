import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One browser and one server for the whole file; Chromium's first start on 2 cores is slow.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});

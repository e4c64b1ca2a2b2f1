import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Contract suites insert tens of thousands of rows; PostgreSQL on 2 cores needs the headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

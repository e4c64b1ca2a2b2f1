import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // npm install compiles better-sqlite3 from source on these machines (about a minute).
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});

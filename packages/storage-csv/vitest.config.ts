import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Test files share one module graph per worker: re-importing it for each file cost more than the
    // tests (core: 20 s -> 6 s). No file here mocks a module, the one thing that needs a fresh graph.
    isolate: false,
    // Contract suites insert tens of thousands of rows; PostgreSQL on 2 cores needs the headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

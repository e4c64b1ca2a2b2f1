import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The import tests open real SQLite files and apply every migration; 2 shared cores need the headroom.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

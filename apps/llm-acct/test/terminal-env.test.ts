import { describe, expect, it } from "vitest";
import { allowLiveRendering } from "../src/terminal-env.js";

describe("allowLiveRendering", () => {
  it("drops the CI flags and runs React in production mode, whatever the shell set", () => {
    const env: NodeJS.ProcessEnv = { CI: "true", CONTINUOUS_INTEGRATION: "1", NODE_ENV: "development", HOME: "/home/ann" };
    allowLiveRendering(env);
    expect(env).toEqual({ NODE_ENV: "production", HOME: "/home/ann" });
  });
});

import { describe, expect, it } from "vitest";
import { currentUsageContext, withUsageContext } from "../src/index.js";

describe("usage context", () => {
  it("follows the async call chain and nests, inner names winning", async () => {
    expect(currentUsageContext()).toBeUndefined();
    await withUsageContext({ username: "ann", project: "web" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(currentUsageContext()).toEqual({ username: "ann", project: "web" });
      await withUsageContext({ project: "api", session: "s1", username: undefined }, async () => {
        await Promise.resolve();
        expect(currentUsageContext()).toEqual({ username: "ann", project: "api", session: "s1" });
      });
      expect(currentUsageContext()?.project).toBe("web");
    });
    expect(currentUsageContext()).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { resolveConnectionString } from "../src/index.js";

describe("resolveConnectionString: sslmode with its libpq meaning", () => {
  it("asks pg for libpq semantics where they differ (prefer, require, verify-ca), so pg prints no warning", () => {
    expect(resolveConnectionString("postgresql://u@h:5432/db?sslmode=require")).toBe("postgresql://u@h:5432/db?sslmode=require&uselibpqcompat=true");
    expect(resolveConnectionString("postgres://u:p%40ss@h/db?application_name=x&sslmode=prefer")).toBe("postgres://u:p%40ss@h/db?application_name=x&sslmode=prefer&uselibpqcompat=true");
    expect(resolveConnectionString("postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem#frag")).toBe("postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem&uselibpqcompat=true#frag");
  });

  it("leaves modes that mean the same either way, and an explicit choice, as given", () => {
    for (const url of ["postgresql://h/db", "postgresql://h/db?sslmode=disable", "postgresql://h/db?sslmode=verify-full", "postgresql://h/db?sslmode=no-verify", "postgresql://h/db?sslmode=require&uselibpqcompat=false"]) {
      expect(resolveConnectionString(url)).toBe(url);
    }
  });
});

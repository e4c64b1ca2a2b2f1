import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Packs a workspace package (publishConfig applied, workspace: versions resolved); returns the tarball path. */
export function pack(dir: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const before = new Set(readdirSync(into));
  execFileSync("pnpm", ["pack", "--pack-destination", into], { cwd: join(root, dir), stdio: "pipe" });
  const made = readdirSync(into).filter((f) => !before.has(f) && f.endsWith(".tgz"));
  if (made.length !== 1) throw new Error(`expected one tarball from ${dir}, got ${made.join(", ")}`);
  return join(into, made[0]!);
}

/**
 * A fresh npm project (no workspace around it) with the given tarballs installed. With
 * `compiledIn`, a project installed before whose better-sqlite3 (compiled from source there) is
 * copied in first: npm keeps a package it finds installed at a version that fits, so this install
 * resolves and fetches everything else but does not compile SQLite a second time.
 */
export function npmProject(dir: string, tarballs: readonly string[], compiledIn?: string): string {
  mkdirSync(dir, { recursive: true });
  if (compiledIn) cpSync(join(compiledIn, "node_modules", "better-sqlite3"), join(dir, "node_modules", "better-sqlite3"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "install-test-app", private: true, type: "module" }));
  // A clean npm environment: pnpm (which runs this test) exports its own npm_config_* settings,
  // which an npm running under another Node version must not inherit.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  env.npm_config_workspaces = "false";
  // Offline machines: skip better-sqlite3's prebuilt-binary download attempt and compile right away.
  env.npm_config_build_from_source = "true";
  // Headers for that compile when testing on another Node major (tooling/scripts/test-on-node.sh).
  if (process.env.LLM_ACCT_NODEDIR) env.npm_config_nodedir = process.env.LLM_ACCT_NODEDIR;
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], { cwd: dir, stdio: "pipe", env });
  return dir;
}

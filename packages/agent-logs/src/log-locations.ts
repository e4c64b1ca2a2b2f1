import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ValidationError } from "@llm-accounting/core";

/** The agents whose logs can be imported; also the `caller_name` of their rows. */
export type AgentName = "claude-code" | "codex";

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The config directories to look in when none is given, from the agent's own environment variables. */
function defaultConfigDirs(agent: AgentName, env: NodeJS.ProcessEnv, home: string): string[] {
  if (agent === "claude-code") {
    // As Claude Code (and ccusage): CLAUDE_CONFIG_DIR may list several directories, comma-separated.
    const configured = env.CLAUDE_CONFIG_DIR?.split(",").map((d) => d.trim()).filter((d) => d !== "");
    return configured?.length ? configured : [join(home, ".config", "claude"), join(home, ".claude")];
  }
  return [env.CODEX_HOME?.trim() || join(home, ".codex")];
}

/** Sub-directories of a config directory that hold an agent's logs. */
const LOG_DIRS: Record<AgentName, readonly string[]> = { "claude-code": ["projects"], codex: ["sessions", "archived_sessions"] };

/**
 * The directories to scan for an agent's logs: given a directory, its `projects/` (Claude Code) or
 * `sessions/` and `archived_sessions/` (Codex) when it has them, else the directory itself (the
 * user pointed at the log directory); given none, the agent's default config directories that
 * exist. Throws a ValidationError naming every place looked at when there is nothing.
 */
export async function logRoots(agent: AgentName, dir: string | undefined, env: NodeJS.ProcessEnv = process.env, home = env.HOME || homedir()): Promise<string[]> {
  const configDirs = dir === undefined || dir === "" ? defaultConfigDirs(agent, env, home) : [dir];
  const roots: string[] = [];
  for (const configDir of configDirs.map((d) => resolve(d.replace(/^~(?=$|[\\/])/, home)))) {
    const inside = [];
    for (const sub of LOG_DIRS[agent]) if (await isDirectory(join(configDir, sub))) inside.push(join(configDir, sub));
    if (inside.length > 0) roots.push(...inside);
    else if (dir !== undefined && dir !== "" && (await isDirectory(configDir))) roots.push(configDir);
  }
  if (roots.length === 0) {
    const looked = configDirs.map((d) => `${d}/${LOG_DIRS[agent][0]}`).join(", ");
    const flag = agent === "claude-code" ? "--from-claude-code DIR (or set CLAUDE_CONFIG_DIR)" : "--from-codex DIR (or set CODEX_HOME)";
    throw new ValidationError(agent === "claude-code" ? "fromClaudeCode" : "fromCodex", `found no ${agent === "claude-code" ? "Claude Code" : "Codex"} logs (looked in ${looked}); give ${flag}`);
  }
  return [...new Set(roots)];
}

/** Every `*.jsonl` file under the roots (symbolic links are not followed, so a link loop cannot hang the scan). */
export async function logFiles(roots: readonly string[]): Promise<string[]> {
  return (await walkLogs(roots)).files;
}

/** The `*.jsonl` files under the roots, and every directory visited (the roots included). */
export async function walkLogs(roots: readonly string[]): Promise<{ files: string[]; directories: string[] }> {
  const files: string[] = [];
  const directories: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // removed meanwhile, or unreadable: nothing to import there
    }
    directories.push(dir);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith(".jsonl")) files.push(path);
    }
  };
  for (const root of new Set(roots)) await walk(root);
  return { files: [...new Set(files)], directories };
}

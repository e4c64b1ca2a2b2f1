import { spawn } from "node:child_process";

/**
 * Runs `node script ...args` and resolves with the JSON object of its last line of output; rejects
 * with its exit code and last lines of stderr when it fails (the bench's helper processes).
 */
export function runJsonChild(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`${script.split("/").pop()} exited ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()));
    });
  });
}

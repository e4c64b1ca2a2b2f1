import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const worker = fileURLToPath(new URL("./race-worker.mjs", import.meta.url));

/**
 * Runs `processes` workers racing `attempts` guarded calls each; resolves with their summed counts
 * (`elapsedMs` on request: the slowest worker's racing time, for rates); `tags` tag every call.
 */
export async function race(backend, location, processes, attempts, { withTime = false, tags } = {}) {
  const startAt = Date.now() + 1500;
  const runs = Array.from({ length: processes }, () =>
    new Promise((resolve, reject) => {
      const args = [worker, backend, location, String(attempts), String(startAt), ...(tags ? [JSON.stringify(tags)] : [])];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("error", reject);
      child.on("close", (code) => {
        if (code !== 0) reject(new Error(`worker exited ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
        else resolve(JSON.parse(out.trim().split("\n").pop()));
      });
    }),
  );
  const results = await Promise.all(runs);
  const total = results.reduce(
    (sum, r) => ({ admitted: sum.admitted + r.admitted, denied: sum.denied + r.denied, errors: sum.errors + r.errors, messages: [...sum.messages, ...r.messages] }),
    { admitted: 0, denied: 0, errors: 0, messages: [] },
  );
  return withTime ? { ...total, elapsedMs: Math.max(...results.map((r) => r.elapsedMs)) } : total;
}

import { fileURLToPath } from "node:url";
import { runJsonChild } from "./json-child.mjs";

const worker = fileURLToPath(new URL("./race-worker.mjs", import.meta.url));

/**
 * Runs `processes` workers racing `attempts` guarded calls each; resolves with their summed counts
 * (`elapsedMs` on request: the slowest worker's racing time, for rates); `tags` tag every call.
 */
export async function race(backend, location, processes, attempts, { withTime = false, tags } = {}) {
  const startAt = Date.now() + 1500;
  const runs = Array.from({ length: processes }, () => runJsonChild(worker, [backend, location, String(attempts), String(startAt), ...(tags ? [JSON.stringify(tags)] : [])]));
  const results = await Promise.all(runs);
  const total = results.reduce(
    (sum, r) => ({ admitted: sum.admitted + r.admitted, denied: sum.denied + r.denied, errors: sum.errors + r.errors, messages: [...sum.messages, ...r.messages] }),
    { admitted: 0, denied: 0, errors: 0, messages: [] },
  );
  return withTime ? { ...total, elapsedMs: Math.max(...results.map((r) => r.elapsedMs)) } : total;
}

import { spawn } from "node:child_process";
import { alertPayload, type AlertTarget, type StoredAlert } from "@llm-accounting/core";

/** How to run the alert command. */
export interface CommandTargetOptions {
  /** A shell command line; it reads the alert as JSON on stdin. */
  readonly command: string;
  /** Kill the command after this long (ms). Default 30,000. */
  readonly timeoutMs?: number;
  /** Its environment (the alert id is added as LLM_ACCOUNTING_ALERT_ID). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A delivery target that runs a shell command with the alert as JSON on stdin; exit status 0 is
 * a delivery, anything else (or a timeout) throws with the last line the command wrote to stderr.
 */
export function commandTarget(options: CommandTargetOptions): AlertTarget {
  return (alert: StoredAlert) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(options.command, {
        shell: true,
        stdio: ["pipe", "ignore", "pipe"],
        env: { ...(options.env ?? process.env), LLM_ACCOUNTING_ALERT_ID: String(alert.id) },
        timeout: options.timeoutMs ?? 30_000,
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-2000);
      });
      child.on("error", (error) => reject(new Error(`alert command: ${error.message}`)));
      child.on("close", (code, signal) => {
        if (code === 0) return resolve();
        const last = stderr.trim().split("\n").pop();
        reject(new Error(`alert command exited with ${signal ?? `status ${code}`}${last ? `: ${last}` : ""}`));
      });
      // A command that does not read its stdin must not fail the delivery with EPIPE.
      child.stdin.on("error", () => undefined);
      child.stdin.end(`${JSON.stringify(alertPayload(alert))}\n`);
    });
}

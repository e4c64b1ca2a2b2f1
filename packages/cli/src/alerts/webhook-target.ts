import { createHmac } from "node:crypto";
import { alertIdempotencyKey, alertPayload, type AlertTarget, type StoredAlert } from "@llm-accounting/core";

/** Header holding `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` when a secret is set. */
export const SIGNATURE_HEADER = "x-llm-accounting-signature";
/** Header holding the Unix time (seconds) that was signed, so receivers can refuse old replays. */
export const TIMESTAMP_HEADER = "x-llm-accounting-timestamp";
/** Header holding the alert's id. */
export const ALERT_ID_HEADER = "x-llm-accounting-alert-id";

/** Where and how to post alerts. */
export interface WebhookOptions {
  readonly url: string;
  /** Shared secret of the HMAC signature; unsigned without one. */
  readonly secret?: string;
  /** Per-request timeout (ms). Default 10,000. */
  readonly timeoutMs?: number;
  /** The clock of the signed timestamp. */
  readonly now?: () => Date;
}

/** The signature header's value for a body sent at `timestamp` (Unix seconds). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * A delivery target that POSTs the alert as JSON (`alertPayload`), with its id and idempotency key
 * in headers and, given a secret, an HMAC-SHA256 signature. Any 2xx answer is a delivery;
 * anything else, a timeout or a network error throws (and the alert is retried later).
 */
export function webhookTarget(options: WebhookOptions): AlertTarget {
  return async (alert: StoredAlert) => {
    const body = JSON.stringify(alertPayload(alert));
    const timestamp = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "llm-accounting-alerts",
      "idempotency-key": alertIdempotencyKey(alert),
      [ALERT_ID_HEADER]: String(alert.id),
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    if (options.secret) headers[SIGNATURE_HEADER] = webhookSignature(options.secret, timestamp, body);
    let response: Response;
    try {
      response = await fetch(options.url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`webhook ${options.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    // Read the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook ${options.url}: HTTP ${response.status}`);
  };
}

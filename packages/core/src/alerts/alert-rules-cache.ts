import type { UsageLimit } from "../store/limit-records.js";
import { alertRulesOf, type AlertRule } from "./alert-crossings.js";

/** How long a store trusts its alert rules before reading the limits version again (ms). */
export const ALERT_RULES_TTL_MS = 1000;

/**
 * A store's alert rules, re-read when the limits version changed, checked at most once per
 * `ttlMs`: a write with no rules in sight costs one comparison, not a query. A limit with
 * thresholds added by another process is seen within `ttlMs`; usage that crossed meanwhile is
 * alerted by the next matching write (alerts are raised on "reached and not yet alerted", not
 * on "crossed by this row").
 */
export class AlertRulesCache {
  #rules: AlertRule[] = [];
  #version: number | null = null;
  #checkedAt = Number.NEGATIVE_INFINITY;
  readonly #ttlMs: number;

  constructor(ttlMs = ALERT_RULES_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** Forgets the rules (this process changed a limit). */
  invalidate(): void {
    this.#version = null;
    this.#checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The rules, synchronously (SQLite). */
  get(nowMs: number, readVersion: () => number, readLimits: () => UsageLimit[]): AlertRule[] {
    if (nowMs - this.#checkedAt < this.#ttlMs) return this.#rules;
    const version = readVersion();
    if (version !== this.#version) this.#rules = alertRulesOf(readLimits());
    this.#version = version;
    this.#checkedAt = nowMs;
    return this.#rules;
  }

  /** The rules, for stores that read asynchronously. */
  async getAsync(nowMs: number, readVersion: () => Promise<number>, readLimits: () => Promise<UsageLimit[]>): Promise<AlertRule[]> {
    if (nowMs - this.#checkedAt < this.#ttlMs) return this.#rules;
    const version = await readVersion();
    if (version !== this.#version) this.#rules = alertRulesOf(await readLimits());
    this.#version = version;
    this.#checkedAt = nowMs;
    return this.#rules;
  }
}

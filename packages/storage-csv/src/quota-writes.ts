import { ConflictError, type GuardedOutcome, type GuardedStep, type LimitFilter, type NewUsageLimit, type NewUsageRecord, type StoredAlert, type UsageLimit } from "@llm-accounting/core";
import type { CsvAlerts } from "./csv-alerts.js";
import { LIMITS_VERSION, type CsvTables } from "./csv-tables.js";
import { quotaSums } from "./quota-sums.js";

// The CSV store's limits, guarded writes and reservations. Whatever a guarded write decides is
// summed and written in one locked step, so no other process can slip a record in between.

/** Adds a limit and bumps the limits version; a limit whose four selectors all clash is a ConflictError. */
export function insertLimit(t: CsvTables, limit: NewUsageLimit): Promise<UsageLimit> {
  return t.write(() => {
    const allSet = limit.model !== null && limit.username !== null && limit.callerName !== null && limit.projectName !== null;
    // The original's uniqueness rule: only limits whose four selectors are all set can clash.
    if (allSet && t.limits.rows.some((l) => l.scope === limit.scope && l.limitType === limit.limitType && l.model === limit.model && l.username === limit.username && l.callerName === limit.callerName && l.projectName === limit.projectName)) {
      throw new ConflictError("a limit with the same scope, limit type, model, username, caller and project already exists");
    }
    const now = new Date();
    const [stored] = t.limits.append([{ ...limit, createdAt: now, updatedAt: now }]);
    t.bump(LIMITS_VERSION);
    return stored!;
  });
}

/** The limits matching every selector the filter sets. */
export function listLimits(t: CsvTables, filter: LimitFilter): Promise<UsageLimit[]> {
  return t.locked(() =>
    t.limits.rows.filter(
      (l) =>
        (filter.scope === undefined || l.scope === filter.scope) &&
        (filter.model === undefined || l.model === filter.model) &&
        (filter.username === undefined || l.username === filter.username) &&
        (filter.callerName === undefined || l.callerName === filter.callerName) &&
        (filter.projectName === undefined || l.projectName === filter.projectName),
    ),
  );
}

/** Deletes a limit; false when it does not exist. */
export function deleteLimit(t: CsvTables, id: number): Promise<boolean> {
  return t.write(() => {
    const kept = t.limits.rows.filter((l) => l.id !== id);
    if (kept.length === t.limits.rows.length) return false;
    // Bump first: a version bumped for a change that then failed only makes caches re-read.
    t.bump(LIMITS_VERSION);
    t.limits.rewrite(kept);
    return true;
  });
}

/** Sums the quota queries `build` asks for and writes what it decides, in one locked step. */
export async function guardedWrite<T>(t: CsvTables, alerts: CsvAlerts, clock: () => Date, build: (now: Date, limitsVersion: number) => GuardedStep<T>): Promise<GuardedOutcome<T>> {
  let raised: StoredAlert[] = [];
  const outcome = await t.write((): GuardedOutcome<T> => {
    const now = clock();
    const { queries, decide } = build(now, t.counter(LIMITS_VERSION));
    const decision = decide(quotaSums(t.usage.rows, t.reservations.rows, queries, now));
    const write = decision.write;
    switch (write.kind) {
      case "usage": {
        const id = t.usage.append([write.record])[0]!.id;
        raised = alerts.raise([write.record], now);
        return { result: decision.result, id };
      }
      case "reservation": {
        const live = t.reservations.rows.filter((r) => r.expiresAt.getTime() > now.getTime());
        if (live.length !== t.reservations.rows.length) t.reservations.rewrite(live);
        return { result: decision.result, id: t.reservations.append([write.reservation])[0]!.id };
      }
      case "rejection":
        return { result: decision.result, id: t.rejections.append([write.rejection])[0]!.id };
      case "none":
        return { result: decision.result, id: null };
    }
  });
  alerts.emit(raised);
  return outcome;
}

/** Records the usage a reservation held and drops the reservation; returns the record's id. */
export async function commitReservation(t: CsvTables, alerts: CsvAlerts, reservationId: number, record: NewUsageRecord): Promise<number> {
  const { id, raised } = await t.write(() => {
    const kept = t.reservations.rows.filter((r) => r.id !== reservationId);
    // Write the usage first: if the process dies between the two steps the reservation merely
    // expires, whereas the other order could lose the record.
    const id = t.usage.append([record])[0]!.id;
    if (kept.length !== t.reservations.rows.length) t.reservations.rewrite(kept);
    return { id, raised: alerts.raise([record], new Date()) };
  });
  alerts.emit(raised);
  return id;
}

/** Drops a reservation; false when it does not exist (committed, cancelled or never made). */
export function cancelReservation(t: CsvTables, reservationId: number): Promise<boolean> {
  return t.write(() => {
    const kept = t.reservations.rows.filter((r) => r.id !== reservationId);
    if (kept.length === t.reservations.rows.length) return false;
    t.reservations.rewrite(kept);
    return true;
  });
}

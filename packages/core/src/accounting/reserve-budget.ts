import { QuotaExceededError, ValidationError } from "../errors.js";
import type { QuotaRequest } from "../quota/quota-request.js";
import type { NewUsageRecord } from "../store/usage-record.js";
import { usageRecordResult, type UsageRecordResult } from "../json/usage-json.js";
import { normalizeUsage } from "../usage/normalize-usage.js";
import { mergeTags } from "../usage/usage-tags.js";
import { currentUsageContext } from "../context/usage-context.js";
import type { FacadeState } from "./facade-state.js";
import { guardedWrite, pricedRequest, usageToPriceRecord } from "./guarded-write.js";
import { checkRequestOf, type ReserveInput } from "./quota-inputs.js";
import { Reservation, type ReservedUsage } from "./reservation.js";

/** Checks the limits and records a reservation in one atomic step; throws `QuotaExceededError` when denied. */
export async function reserve(state: FacadeState, input: ReserveInput): Promise<Reservation> {
  const { request: unpricedRequest, session } = checkRequestOf(input, state.defaults, currentUsageContext());
  const toPrice = usageToPriceRecord(state, input, unpricedRequest);
  const ttl = input.ttlMs ?? 600_000;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new ValidationError("ttlMs", `must be a positive number of milliseconds (got ${ttl})`);
  await state.open();
  await state.names.check(unpricedRequest.projectName, unpricedRequest.username);
  const { request, refuse } = await pricedRequest(state, input, unpricedRequest, toPrice);
  let reservedAt = new Date(0);
  const { decision, id } = await guardedWrite(state, request, session, refuse, (at) => ({
    kind: "reservation",
    reservation: {
      createdAt: (reservedAt = at),
      expiresAt: new Date(at.getTime() + ttl),
      model: request.model,
      username: request.username,
      callerName: request.callerName,
      project: request.projectName,
      session,
      inputTokens: request.inputTokens,
      completionTokens: request.completionTokens,
      costNanos: request.costNanos,
      ...(request.tags && { tags: request.tags }),
    },
  }));
  if (!decision.allowed) throw new QuotaExceededError(decision);
  return new Reservation(id!, {
    commit: (usage) => commitReservation(state, id!, request, session, reservedAt, usage),
    cancel: () => state.store.cancelReservation(id!),
  });
}

/** Runs `call` under a reservation: commits the usage `usageOf` reports, or cancels if the call or the commit fails. */
export async function guard<T>(state: FacadeState, input: ReserveInput, call: () => Promise<T>, usageOf: (result: T) => ReservedUsage): Promise<T> {
  const reservation = await reserve(state, input);
  let result: T;
  try {
    result = await call();
  } catch (error) {
    await reservation.cancel().catch(() => undefined);
    throw error;
  }
  try {
    await reservation.commit(usageOf(result));
  } catch (error) {
    // The budget must not stay held until the TTL because the usage could not be recorded.
    await reservation.cancel().catch(() => undefined);
    throw error;
  }
  return result;
}

async function commitReservation(state: FacadeState, id: number, request: QuotaRequest, session: string | null, reservedAt: Date, usage: ReservedUsage): Promise<UsageRecordResult> {
  // The record carries the tags the reservation was checked with (the usage may add more).
  const input = { model: request.model, username: request.username, callerName: request.callerName, project: request.projectName, session, ...usage, tags: mergeTags(request.tags, usage.tags) };
  const normalized = normalizeUsage(input, state.defaults, state.now());
  // The reservation was checked against the windows of its own time: the usage it becomes may
  // not move before that, or back-dated commits would spend outside every current window.
  if (normalized.timestamp.getTime() < reservedAt.getTime()) {
    throw new ValidationError("timestamp", `must not be before the reservation was made (${reservedAt.toISOString()})`);
  }
  const record: NewUsageRecord = await state.priced(normalized);
  const storedId = await state.store.commitReservation(id, record);
  state.recorded([record]);
  return usageRecordResult({ id: storedId, ...record });
}

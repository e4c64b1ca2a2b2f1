import { NotFoundError, ValidationError } from "../errors.js";
import type { InstantInput } from "../instant.js";
import { validateLimit } from "../quota/index.js";
import type { NewUsageLimit, UsageLimit } from "../store/limit-records.js";
import type { LimitFilter } from "../store/quota-records.js";
import { validatePrice, type ModelPriceInput } from "../pricing/cost-of-usage.js";
import type { ModelPrice } from "../store/price-records.js";
import { quoteUsage } from "../pricing/price-record.js";
import { withJsonForm, type JsonForm } from "../json/json-form.js";
import { modelPriceJson, type ModelPriceJson } from "../json/price-json.js";
import { repriceResultJson, type RepriceResultJson } from "../json/reprice-json.js";
import type { FacadeState } from "./facade-state.js";
import { repriceRecords, type RepriceOptions, type RepriceResult } from "./reprice.js";
import { toRange } from "./usage-reports.js";

/** Adds a usage limit (validated); one without `alertAt` gets the facade's `alertAt` option, if any. */
export async function setUsageLimit(state: FacadeState, input: NewUsageLimit): Promise<UsageLimit> {
  const limit = validateLimit(input.alertAt === undefined && state.defaultAlertAt ? { ...input, alertAt: state.defaultAlertAt } : input);
  await state.open();
  const named = (value: string | null) => (value === "*" ? null : value);
  await state.names.check(named(limit.projectName), named(limit.username));
  return state.store.insertLimit(limit);
}

/** Limits matching every given filter, oldest first. */
export async function getUsageLimits(state: FacadeState, filter: LimitFilter): Promise<UsageLimit[]> {
  await state.open();
  return state.store.listLimits(filter);
}

/** Deletes a limit; throws `NotFoundError` when there is no limit with that id. */
export async function deleteUsageLimit(state: FacadeState, id: number): Promise<void> {
  if (!Number.isSafeInteger(id)) throw new ValidationError("id", `must be an integer (got ${id})`);
  await state.open();
  if (!(await state.store.deleteLimit(id))) throw new NotFoundError(`no usage limit with ID ${id}`);
}

/** Stores a price (USD per million tokens) that wins over the pricer's from its effective date. */
export async function setModelPrice(state: FacadeState, input: ModelPriceInput): Promise<ModelPrice & JsonForm<ModelPriceJson>> {
  const price = validatePrice(input);
  await state.open();
  const stored = await state.store.insertPrice(price);
  state.prices.invalidate();
  return withJsonForm(stored, modelPriceJson);
}

/** Every stored price, by model and effective date. */
export async function listModelPrices(state: FacadeState): Promise<Array<ModelPrice & JsonForm<ModelPriceJson>>> {
  await state.open();
  return (await state.store.listPrices()).map((price) => withJsonForm(price, modelPriceJson));
}

/** Deletes a stored price; throws `NotFoundError` when there is no price with that id. */
export async function deleteModelPrice(state: FacadeState, id: number): Promise<void> {
  if (!Number.isSafeInteger(id)) throw new ValidationError("id", `must be an integer (got ${id})`);
  await state.open();
  if (!(await state.store.deletePrice(id))) throw new NotFoundError(`no model price with ID ${id}`);
  state.prices.invalidate();
}

/** Recomputes the cost of the records in the range from the current prices (a dry run unless `apply`). */
export async function reprice(state: FacadeState, start: InstantInput, end: InstantInput, options: RepriceOptions): Promise<RepriceResult & JsonForm<RepriceResultJson>> {
  const range = toRange(start, end);
  await state.open();
  state.prices.invalidate();
  const stored = await state.prices.current();
  return withJsonForm(await repriceRecords(state.store, range, (usage) => quoteUsage(usage, stored, state.pricer), options), repriceResultJson);
}

export { withJsonForm, type JsonForm } from "./json-form.js";
export { costQuoteJson, usageRecordJson, usageRecordResult, usageTotalsJson, type CostQuote, type CostQuoteJson, type UsageRecordJson, type UsageRecordResult, type UsageTotalsJson } from "./usage-json.js";
export { modelPriceJson, type ModelPriceJson } from "./price-json.js";
export { repriceChangeJson, repriceResultJson, type RepriceChangeJson, type RepriceResultJson } from "./reprice-json.js";

// Stored prices are part of the store contract and live in store/price-records.ts.
export type { ModelPrice, NewModelPrice, PriceStore } from "../store/price-records.js";

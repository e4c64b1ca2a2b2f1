export { costUpdatesOf, type CostUpdates } from "./cost-updates.js";
export { groupedSumsOf, type GroupedSums } from "./grouped-sums.js";
export { importsOf } from "./imports.js";
export { tagSumsOf, type TagSums } from "./tag-sums.js";

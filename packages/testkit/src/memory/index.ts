export { MemoryStore, type MemoryStoreOptions } from "./memory-store.js";
export { MemoryData, type AgentCallRow, type AlertRow, type ReservationRow } from "./memory-data.js";

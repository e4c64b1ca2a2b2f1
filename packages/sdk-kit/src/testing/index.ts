/**
 * Test helpers for the llm-accounting SDK wrappers: a local fake of a provider's HTTP API (JSON and
 * server-sent events) for the real SDK client, and small helpers their tests share. Tests use it; applications do not.
 */
export { readJson, sendEvents, sendJson, startFakeServer, type FakeHandler, type FakeServer, type ReceivedRequest, type SendEventsOptions, type ServerSentEvent } from "./fake-server.js";
export { collect, DENY_ALL_REQUESTS, failingSinks, rowsAfterFlush, testAccountings, type TestAccountings } from "./helpers.js";

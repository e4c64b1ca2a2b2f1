/**
 * Test helpers for the llm-accounting SDK wrappers: a local fake of a provider's HTTP API (JSON and
 * server-sent events) for the real SDK client, the setup their test files share, the checks every
 * wrapper must pass (names, guard race), and small helpers. Tests use it; applications do not.
 */
export { checkCallNames, type CallNamesClients } from "./call-names.js";
export { readJson, sendEvents, sendJson, startFakeServer, type FakeHandler, type FakeServer, type ReceivedRequest, type SendEventsOptions, type ServerSentEvent } from "./fake-server.js";
export { guardRaceCases, type GuardRaceCall, type GuardRaceSetup, type TestCase } from "./guard-race.js";
export { collect, DENY_ALL_REQUESTS, failingSinks, rowsAfterFlush, testAccountings, type TestAccountings } from "./helpers.js";
export { trackedClients, type TrackedClients, type TrackedClientsSetup } from "./tracked-clients.js";

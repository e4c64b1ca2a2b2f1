import type { Accounting, AccountingOptions, UsageRecord, UsageStore } from "@llm-accounting/core";
import type { TrackingOptions } from "../options.js";
import type { FakeServer } from "./fake-server.js";
import { rowsAfterFlush, testAccountings, type TestAccountings } from "./helpers.js";

/** What a wrapper's test file brings: its store, its provider's wire format, its SDK client and its wrapper. */
export interface TrackedClientsSetup<Client> {
  /** Names the temporary directory of the store files. */
  readonly prefix: string;
  /** A store for a fresh path without extension. */
  readonly openStore: (file: string) => UsageStore;
  /** Starts a fake server speaking the provider's wire format. */
  readonly startServer: () => Promise<FakeServer>;
  /** A plain SDK client talking to `baseURL`. */
  readonly newClient: (baseURL: string) => Client;
  /** The wrapper: tracks `client` with `options`. */
  readonly track: (client: Client, options: TrackingOptions) => Client;
  /** Waits until the usage of the client's finished calls is stored. */
  readonly flush: (client: Client) => Promise<void>;
}

/** A wrapper's test file setup: its fake server (for the whole file) and tracked clients over fresh stores. */
export interface TrackedClients<Client> {
  /** The running fake server; read it only once `start` has run. */
  readonly server: FakeServer;
  /** The facades over fresh store files (`open`, `openBroken`). */
  readonly accountings: TestAccountings;
  /** Starts the fake server (for `beforeAll`). */
  start(): Promise<void>;
  /** Stops the fake server and deletes the store files (for `afterAll`). */
  stop(): Promise<void>;
  /** A new SDK client talking to the fake server, not tracked. */
  plain(): Client;
  /** A new SDK client talking to the fake server, tracked over `accounting` with `options`. */
  track(accounting: Accounting, options?: Omit<TrackingOptions, "accounting">): Client;
  /** A facade over a new store (with `facade` options) and a client tracked over it with `options`. */
  tracked(options?: Omit<TrackingOptions, "accounting">, facade?: Omit<AccountingOptions, "store">): { accounting: Accounting; client: Client };
  /** Waits until the client's usage is stored, then returns every stored row, newest first. */
  rows(accounting: Accounting, client: Client): Promise<UsageRecord[]>;
}

/** Sets up a wrapper's test file from what differs between wrappers: the store, the fake server, the SDK client and the wrapper. */
export function trackedClients<Client>(setup: TrackedClientsSetup<Client>): TrackedClients<Client> {
  const accountings = testAccountings(setup.prefix, setup.openStore);
  let server: FakeServer | undefined;
  const running = (): FakeServer => {
    if (server === undefined) throw new Error("the fake server is not started: call start() in beforeAll");
    return server;
  };
  const plain = () => setup.newClient(running().baseURL);
  const track = (accounting: Accounting, options: Omit<TrackingOptions, "accounting"> = {}) => setup.track(plain(), { ...options, accounting });
  return {
    get server() {
      return running();
    },
    accountings,
    start: async () => {
      server = await setup.startServer();
    },
    stop: async () => {
      await server?.close();
      accountings.remove();
    },
    plain,
    track,
    tracked: (options = {}, facade = {}) => {
      const accounting = accountings.open(facade);
      return { accounting, client: track(accounting, options) };
    },
    rows: rowsAfterFlush(setup.flush),
  };
}

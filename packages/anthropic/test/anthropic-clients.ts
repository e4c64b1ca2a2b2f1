import Anthropic from "@anthropic-ai/sdk";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { trackedClients, type TrackedClients } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackAnthropic } from "../src/index.js";
import { startFakeAnthropic } from "./fake-anthropic-server.js";

/** A test file's fake Anthropic server and Anthropic clients tracked over SQLite files in a directory named from `prefix`. */
export function anthropicClients(prefix: string): TrackedClients<Anthropic> {
  return trackedClients({
    prefix,
    openStore: (file) => new SqliteStore({ file: `${file}.sqlite` }),
    startServer: startFakeAnthropic,
    newClient: (baseURL) => new Anthropic({ apiKey: "test", baseURL, maxRetries: 0 }),
    track: trackAnthropic,
    flush: flushUsage,
  });
}

import OpenAI from "openai";
import { SqliteStore } from "@llm-accounting/storage-prisma";
import { trackedClients, type TrackedClients } from "@llm-accounting/sdk-kit/testing";
import { flushUsage, trackOpenAI } from "../src/index.js";
import { startFakeOpenAI } from "./fake-openai-server.js";

/** A test file's fake OpenAI server and OpenAI clients tracked over SQLite files in a directory named from `prefix`. */
export function openAIClients(prefix: string): TrackedClients<OpenAI> {
  return trackedClients({
    prefix,
    openStore: (file) => new SqliteStore({ file: `${file}.sqlite` }),
    startServer: startFakeOpenAI,
    newClient: (baseURL) => new OpenAI({ apiKey: "test", baseURL, maxRetries: 0 }),
    track: trackOpenAI,
    flush: flushUsage,
  });
}

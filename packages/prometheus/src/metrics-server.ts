import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ValidationError, type Accounting } from "@llm-accounting/core";
import { metricsRequestListener, type ListenerOptions } from "./metrics-handler.js";

/** Where and what `startMetricsServer` serves. */
export interface MetricsServerOptions extends ListenerOptions {
  /** TCP port, 0-65535; 0 picks a free one (see `url`). */
  readonly port: number;
  /** Address to bind. Default 127.0.0.1: only this machine can scrape unless you widen it. */
  readonly host?: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** Base URL it answers on, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** The port bound (useful after asking for port 0). */
  readonly port: number;
  /** Stops accepting connections, ends idle ones and resolves once every open request is answered. */
  close(): Promise<void>;
}

/** Checks a port number, naming the field in the error. */
export function checkPort(port: unknown, field = "port"): number {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535) throw new ValidationError(field, `must be an integer from 0 to 65535 (got ${String(port)})`);
  return port;
}

// How long the server keeps an idle connection open for the client's next request.
const KEEP_ALIVE_MS = 65_000;

/** Serves `GET /metrics`, `GET /healthz` and the JSON API (`/api/v1`) for the facade's store; resolves once listening. */
export async function startMetricsServer(accounting: Accounting, options: MetricsServerOptions): Promise<MetricsServer> {
  const port = checkPort(options.port);
  const host = options.host ?? "127.0.0.1";
  const server = createServer(metricsRequestListener(accounting, options));
  // Scrapers and proxies keep a connection open between requests (Prometheus every 15-60 s, load
  // balancers up to 60 s). Node closes one idle for 5 s, and a client that reuses it just then
  // sees a reset (a failed scrape, a proxy's 502): idle connections stay open for 65 s instead.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await listen(server, port, host);
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shown}:${bound}`, port: bound, close: () => closeServer(server) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") reject(new ValidationError("host", `${host} is not an address of this machine (${error.code})`));
      else reject(new ValidationError("port", `${port} ${error.code === "EADDRINUSE" ? "is already in use" : error.code === "EACCES" ? "needs more privileges" : `cannot be bound: ${error.message}`}`));
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

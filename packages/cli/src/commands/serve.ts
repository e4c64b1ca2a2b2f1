import type { Accounting } from "@llm-accounting/core";
import type { Argv, CommandModule } from "yargs";
import type { GlobalArgs } from "../context/global-options.js";
import { UsageError } from "../errors.js";
import { println, type CliIo } from "../io.js";
import { runHandler, withAccounting, type CommandContext } from "./command-context.js";

// Loaded only by this command: prom-client and the HTTP server are not for one-shot commands.
const prometheus = () => import("@llm-accounting/prometheus");
// The web dashboard's files (read once at start); kept outside the bundle, which cannot carry them.
const webDashboard = () => import("@llm-accounting/web-dashboard");

/** Port `serve` listens on when `--port` is not given (the usual Prometheus exporter port). */
export const DEFAULT_METRICS_PORT = 9464;

/** Parsed `serve` arguments. */
export interface ServeArgs extends GlobalArgs {
  port: number;
  host: string;
  perUser: boolean;
  perCaller: boolean;
  token?: string;
}

/** Environment variable read for the API token when `--token` is not given (keeps it out of `ps`). */
export const API_TOKEN_ENV = "LLM_ACCOUNTING_API_TOKEN";

/** A yargs `coerce` for a TCP port, with an error naming the flag. */
export const tcpPort = (value: unknown): number => {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535 (got "${String(value)}")`);
  return Number(text);
};

/**
 * Serves the web dashboard (`GET /`), `GET /metrics` (Prometheus text), `GET /healthz` and the JSON API (`/api/v1`) for the
 * store until SIGINT or SIGTERM, then stops accepting connections, answers the requests in hand
 * and returns. Beyond loopback a token is required: the API shows who spends what.
 */
export async function handleServe(accounting: Accounting, args: ServeArgs, io: CliIo): Promise<void> {
  const [{ startMetricsServer, isLoopbackHost, checkApiToken }, { dashboardStaticFiles }] = await Promise.all([prometheus(), webDashboard()]);
  const token = args.token ?? (io.env[API_TOKEN_ENV] || undefined);
  if (token !== undefined) {
    try {
      checkApiToken(token);
    } catch {
      throw new UsageError(`--token (or ${API_TOKEN_ENV}) must be printable ASCII without spaces`);
    }
  }
  if (token === undefined && !isLoopbackHost(args.host)) throw new UsageError(`--host ${args.host} lets other machines in: give --token or set ${API_TOKEN_ENV} (clients send Authorization: Bearer <token>)`);
  if (!io.untilInterrupted) throw new UsageError("serve needs a process that can be interrupted");
  // Fail now on a store that cannot be read, rather than at the first scrape.
  await accounting.open();
  const stop = io.untilInterrupted();
  const server = await startMetricsServer(accounting, { port: args.port, host: args.host, perUser: args.perUser, perCaller: args.perCaller, staticFiles: dashboardStaticFiles(), ...(token !== undefined && { token }) });
  const guarded = token === undefined ? "" : " (token required, except /healthz)";
  println(io, `Serving ${server.url}/metrics, ${server.url}/api/v1 and ${server.url}/healthz for ${accounting.store.description}${guarded} (Ctrl-C stops)`);
  println(io, `Web dashboard: ${server.url}/${token === undefined ? "" : " (it asks for the token; or open it with #token=<token> after the /)"}`);
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
  await server.close();
  println(io, "Stopped serving metrics");
}

/** `llm-accounting serve`. */
export function serveCommand(ctx: CommandContext): CommandModule<GlobalArgs, ServeArgs> {
  return {
    command: "serve",
    describe: "Serve a web page of charts, limits and recent calls (GET /), Prometheus metrics (GET /metrics), a JSON API (GET /api/v1/...) and a health check (GET /healthz) for the store",
    builder: (yargs: Argv<GlobalArgs>) =>
      yargs
        .option("port", { type: "string", number: true, default: DEFAULT_METRICS_PORT, describe: "TCP port to listen on (0: any free one)", coerce: tcpPort })
        .option("host", { type: "string", default: "127.0.0.1", describe: "Address to bind (0.0.0.0 or :: to let other machines in: needs --token)" })
        .option("token", { type: "string", describe: `Bearer token required on /metrics and /api/v1 (default: $${API_TOKEN_ENV}; required beyond loopback)` })
        .option("per-user", { type: "boolean", default: false, describe: "Also count usage per user (one series per user: keep users few)" })
        .option("per-caller", { type: "boolean", default: false, describe: "Also count usage per caller (one series per caller)" }) as unknown as Argv<ServeArgs>,
    handler: (args) => runHandler(ctx, () => withAccounting(ctx, args, (accounting) => handleServe(accounting, args, ctx.io), { readOnly: true })),
  };
}

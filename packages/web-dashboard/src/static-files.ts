import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { SECURITY_HEADERS } from "./security-headers.js";

/** One file as an HTTP answer (the shape `@llm-accounting/prometheus`'s `staticFiles` option takes). */
export interface DashboardFile {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

// src/ and dist/ both sit one level below the package root, beside assets/.
const ASSETS = join(dirname(fileURLToPath(import.meta.url)), "..", "assets");

/** The chart library's browser build and stylesheet, served from its npm package (no CDN). */
function chartLibraryFiles(): [string, string][] {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));
  return [
    ["/assets/vendor/uPlot.iife.min.js", join(dist, "uPlot.iife.min.js")],
    ["/assets/vendor/uPlot.min.css", join(dist, "uPlot.min.css")],
  ];
}

function assetFiles(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && TYPES[extname(entry.name)] !== undefined)
    .map((entry) => {
      const file = join(entry.parentPath, entry.name);
      return [`/assets/${relative(dir, file).split(sep).join("/")}`, file];
    });
}

/**
 * The dashboard's files by URL path (`/` is the page), read once into memory. Only the files
 * listed here are ever answered, so no request path reaches the file system.
 */
export function dashboardFiles(): ReadonlyMap<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  const add = (path: string, file: string) => files.set(path, { status: 200, contentType: TYPES[extname(file)]!, body: readFileSync(file, "utf8"), headers: SECURITY_HEADERS });
  add("/", join(ASSETS, "index.html"));
  for (const [path, file] of [...assetFiles(ASSETS), ...chartLibraryFiles()]) if (!path.endsWith(".html")) add(path, file);
  return files;
}

/** A lookup for `startMetricsServer`'s `staticFiles` option: the dashboard at `/`, undefined elsewhere. */
export function dashboardStaticFiles(): (path: string) => DashboardFile | undefined {
  const files = dashboardFiles();
  return (path) => files.get(path);
}

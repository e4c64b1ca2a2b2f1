#!/usr/bin/env node
// Bundles the `llm-accounting` bin into dist/bundle/ so a one-shot command starts fast: Node loads a
// handful of files instead of ~160 ES modules (each resolved, read and linked on its own).
// - Workspace packages (core, storage-prisma, storage-csv, audit, pricing) are bundled from their
//   built dist, so one copy of core is shared (its error classes are checked with instanceof).
// - Native and Prisma runtime packages stay external (they are dependencies of this package).
// - Code a command may not need is split into chunks loaded by `import()`: the SQLite and
//   PostgreSQL stores, the CSV store, the price catalog, the Prisma client.
// - storage-prisma starts a worker thread (batch-thread.js) and a child process (query-child.js)
//   from files beside its own module: they are entry points here, written beside the chunks.
// - string-width builds large Unicode regular expressions when it is loaded (~30 ms); yargs and
//   its help layout load it eagerly but only use it to print help. Here it is loaded on first use.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const storagePrisma = dirname(createRequire(join(root, "package.json")).resolve("@llm-accounting/storage-prisma/sqlite"));

/** Resolves `string-width` (as imported by yargs and cliui) to a wrapper that loads it on first call. */
const lazyStringWidth = {
  name: "lazy-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) => {
      // Our own lazy require below, and CommonJS callers (cli-table3, string-width 4), resolve as usual.
      if (args.kind === "require-call") return undefined;
      return { path: args.resolveDir, namespace: "lazy-string-width" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      // esbuild wraps a module reached through require() so its top level runs on that first call.
      contents: `let width;\nexport default function stringWidth(text, options) {\n  width ??= require("string-width").default;\n  return width(text, options);\n}\n`,
      resolveDir: args.path,
      loader: "js",
    }));
  },
};

/** The CLI's version, inlined: the bundle does not sit where version.ts looks for package.json. */
const inlineVersion = {
  name: "inline-version",
  setup(b) {
    b.onLoad({ filter: /[\\/]cli[\\/]dist[\\/]version\.js$/ }, () => ({ contents: `export const CLI_VERSION = ${JSON.stringify(version)};\n`, loader: "js" }));
  },
};

const result = await build({
  entryPoints: {
    bin: join(root, "dist/bin.js"),
    "batch-thread": join(storagePrisma, "batch-thread.js"),
    "query-child": join(storagePrisma, "query-child.js"),
  },
  outdir: join(root, "dist/bundle"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  chunkNames: "[name]-[hash]",
  // The web dashboard reads its page and scripts from files beside its own module.
  external: ["better-sqlite3", "pg", "pg-native", "@prisma/*", "@llm-accounting/web-dashboard"],
  // Bundled CommonJS (yargs' helpers) may call require; give ESM output one.
  banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
  plugins: [lazyStringWidth, inlineVersion],
  logLevel: "warning",
  metafile: !!process.env.BUNDLE_META,
  legalComments: "none",
  // Less text to scan at every start (the price catalog alone is ~0.8 MB pretty-printed); names are kept.
  minifyWhitespace: true,
  minifySyntax: true,
});
if (process.env.BUNDLE_META) (await import("node:fs")).writeFileSync(process.env.BUNDLE_META, JSON.stringify(result.metafile));

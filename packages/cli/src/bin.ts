#!/usr/bin/env node
import { runCli } from "./cli.js";
import { processIo } from "./process-io.js";

// The only place that ends the process: commands return exit codes.
process.exitCode = await runCli(process.argv.slice(2), processIo());
// A readline on stdin would keep the event loop alive after a confirmation.
process.stdin.unref?.();

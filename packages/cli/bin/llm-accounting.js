#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs): one file to load instead of ~160 modules.
import "../dist/bundle/bin.js";

import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// `prisma generate` insists on locating the native schema engine even though it never runs it,
// and downloading it is impossible offline. Point Prisma at a stub (see scripts/no-schema-engine.sh).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL("./scripts/no-schema-engine.sh", import.meta.url));

export default defineConfig({ schema: "../../prisma/sqlite/schema.prisma" });

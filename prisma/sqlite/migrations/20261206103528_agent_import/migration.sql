-- IF NOT EXISTS (hand-edited): new tables only, so applying this again, e.g. to a database whose
-- _prisma_migrations row for it was lost, is harmless.
-- CreateTable
CREATE TABLE IF NOT EXISTS "agent_calls" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "entry_id" INTEGER NOT NULL,
    "tokens" BIGINT NOT NULL,
    "cache_write_1h_tokens" INTEGER NOT NULL DEFAULT 0,
    "subagent" TEXT
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "agent_log_files" (
    "source" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "mtime_ms" REAL NOT NULL,
    "position" BIGINT NOT NULL,
    "lines" BIGINT NOT NULL,
    "head" TEXT NOT NULL,
    "state" TEXT NOT NULL,

    PRIMARY KEY ("source", "path")
);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "agent_calls_entry_id_idx" ON "agent_calls"("entry_id");

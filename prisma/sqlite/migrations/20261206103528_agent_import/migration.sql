-- CreateTable
CREATE TABLE "agent_calls" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "entry_id" INTEGER NOT NULL,
    "tokens" BIGINT NOT NULL,
    "cache_write_1h_tokens" INTEGER NOT NULL DEFAULT 0,
    "subagent" TEXT
);

-- CreateTable
CREATE TABLE "agent_log_files" (
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
CREATE INDEX "agent_calls_entry_id_idx" ON "agent_calls"("entry_id");

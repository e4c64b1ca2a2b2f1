-- CreateTable
CREATE TABLE "model_prices" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "model" TEXT NOT NULL,
    "provider" TEXT,
    "effective_from" DATETIME NOT NULL,
    "input_nanos_per_mtok" BIGINT NOT NULL,
    "cache_read_nanos_per_mtok" BIGINT,
    "cache_write_nanos_per_mtok" BIGINT,
    "output_nanos_per_mtok" BIGINT NOT NULL,
    "note" TEXT,
    "created_at" DATETIME NOT NULL
);

-- AlterTable (ADD COLUMN rather than Prisma's table rebuild: it keeps the rollup triggers and is instant on large tables)
ALTER TABLE "accounting_entries" ADD COLUMN "cache_write_tokens" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "accounting_entries" ADD COLUMN "cost_source" TEXT;
ALTER TABLE "accounting_entries" ADD COLUMN "provider" TEXT;

-- CreateIndex
CREATE INDEX "model_prices_model_effective_from_idx" ON "model_prices"("model", "effective_from");

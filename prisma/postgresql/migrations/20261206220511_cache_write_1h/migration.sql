-- IF NOT EXISTS (hand-edited): applying this again is harmless. Older rows read 0: every cache
-- write they hold was a 5-minute one.
-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN IF NOT EXISTS "cache_write_1h_tokens" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN IF NOT EXISTS "cache_write_1h_nanos_per_mtok" BIGINT;

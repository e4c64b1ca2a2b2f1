-- Hand-edited: ADD COLUMN instead of Prisma's table rebuild, which would drop the rollup triggers.
-- Older rows read 0: every cache write they hold was a 5-minute one.
-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN "cache_write_1h_tokens" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN "cache_write_1h_nanos_per_mtok" BIGINT;

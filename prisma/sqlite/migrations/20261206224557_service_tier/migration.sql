-- Hand-edited: ADD COLUMN instead of Prisma's table rebuild, which would drop the rollup triggers.
-- Older rows read NULL: the tier is unknown (priced as standard).
-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN "service_tier" TEXT;

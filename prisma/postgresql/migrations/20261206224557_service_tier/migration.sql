-- IF NOT EXISTS (hand-edited): applying this again is harmless. Older rows read NULL: the tier is
-- unknown (priced as standard).
-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN IF NOT EXISTS "service_tier" TEXT;

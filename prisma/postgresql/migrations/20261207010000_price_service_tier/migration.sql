-- IF NOT EXISTS (hand-edited): applying this again is harmless. Older prices read NULL: they apply
-- to every service tier, as before.
-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN IF NOT EXISTS "service_tier" TEXT;

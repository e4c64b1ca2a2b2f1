-- Hand-edited: ADD COLUMN instead of Prisma's table rebuild.
-- Older prices read NULL: they apply to every service tier, as before.
-- AlterTable
ALTER TABLE "model_prices" ADD COLUMN "service_tier" TEXT;

-- AlterTable
-- Added in place (Prisma's diff rebuilds the table, which would drop its rollup triggers).
ALTER TABLE "accounting_entries" ADD COLUMN "usage_estimated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN IF NOT EXISTS "usage_estimated" BOOLEAN NOT NULL DEFAULT false;

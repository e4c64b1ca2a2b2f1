-- AlterTable
ALTER TABLE "accounting_entries" ADD COLUMN     "cache_write_tokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "cost_source" TEXT,
ADD COLUMN     "provider" TEXT;

-- CreateTable
CREATE TABLE "model_prices" (
    "id" SERIAL NOT NULL,
    "model" TEXT NOT NULL,
    "provider" TEXT,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "input_nanos_per_mtok" BIGINT NOT NULL,
    "cache_read_nanos_per_mtok" BIGINT,
    "cache_write_nanos_per_mtok" BIGINT,
    "output_nanos_per_mtok" BIGINT NOT NULL,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "model_prices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "model_prices_model_effective_from_idx" ON "model_prices"("model", "effective_from");

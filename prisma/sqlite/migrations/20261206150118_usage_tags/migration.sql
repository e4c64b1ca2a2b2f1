-- CreateTable (IF NOT EXISTS: the migration may be applied again safely)
CREATE TABLE IF NOT EXISTS "usage_tags" (
    "entry_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("entry_id", "key"),
    CONSTRAINT "usage_tags_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "accounting_entries" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "usage_tags_key_value_entry_id_idx" ON "usage_tags"("key", "value", "entry_id");

-- CreateTable
CREATE TABLE "quota_reservations" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "model" TEXT NOT NULL,
    "username" TEXT,
    "caller_name" TEXT,
    "project" TEXT,
    "session" TEXT,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "store_counters" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" BIGINT NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "quota_reservations_expires_at_idx" ON "quota_reservations"("expires_at");

-- Hand-written (Prisma schemas cannot express triggers): the counters other processes watch to
-- notice changes without re-reading tables. limits_version: any change to usage_limits;
-- entries_mutations: an accounting entry updated or deleted (inserts are followed by id instead).
INSERT INTO "store_counters" ("key", "value") VALUES ('limits_version', 0), ('entries_mutations', 0);

CREATE TRIGGER "usage_limits_version_insert" AFTER INSERT ON "usage_limits" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;

CREATE TRIGGER "usage_limits_version_update" AFTER UPDATE ON "usage_limits" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;

CREATE TRIGGER "usage_limits_version_delete" AFTER DELETE ON "usage_limits" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;

CREATE TRIGGER "accounting_entries_mutation_update" AFTER UPDATE ON "accounting_entries" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'entries_mutations';
END;

CREATE TRIGGER "accounting_entries_mutation_delete" AFTER DELETE ON "accounting_entries" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'entries_mutations';
END;

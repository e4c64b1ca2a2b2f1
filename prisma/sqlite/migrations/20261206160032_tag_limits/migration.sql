-- CreateTable (IF NOT EXISTS, foreign keys inline: the migration may be applied again safely)
CREATE TABLE IF NOT EXISTS "quota_reservation_tags" (
    "reservation_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("reservation_id", "key"),
    CONSTRAINT "quota_reservation_tags_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "quota_reservations" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "limit_tags" (
    "limit_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_tag_filters" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "tag_key" TEXT NOT NULL,
    "tag_value" TEXT,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_mode" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "quota_tag_filters_key_key" ON "quota_tag_filters"("key");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "quota_tag_filters_tag_key_tag_value_idx" ON "quota_tag_filters"("tag_key", "tag_value");

-- Every statement can run again (IF NOT EXISTS, DROP ... IF EXISTS): a lost _prisma_migrations row re-applies it.
-- A limit's tag is part of the limit: any change bumps limits_version, as for usage_limits.
CREATE TRIGGER IF NOT EXISTS "limit_tags_version_insert" AFTER INSERT ON "limit_tags" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;
CREATE TRIGGER IF NOT EXISTS "limit_tags_version_update" AFTER UPDATE ON "limit_tags" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;
CREATE TRIGGER IF NOT EXISTS "limit_tags_version_delete" AFTER DELETE ON "limit_tags" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;

-- Hand-written: the buckets of TAG limits' filters (quota_tag_filters; bucket rows under
-- filter_id = -id, beside the other filters' in quota_buckets and quota_buckets_hot). A row's tags
-- are inserted after the row, in the same transaction (single inserts and the batch writer alike),
-- so the row is counted when its tag arrives; an update or delete of a row sees its tags still
-- there (BEFORE DELETE: the ON DELETE CASCADE of usage_tags has not run yet). Each trigger only
-- runs when some TAG filter exists, so stores without TAG limits pay one empty lookup.
DROP TRIGGER IF EXISTS "quota_tag_buckets_insert";
CREATE TRIGGER "quota_tag_buckets_insert" AFTER INSERT ON "usage_tags"
WHEN EXISTS (SELECT 1 FROM "quota_tag_filters" WHERE "tag_key" = NEW."key")
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", CAST(floor(unixepoch(e."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, e."prompt_tokens", e."completion_tokens", e."total_tokens", e."cost_nanos"
  FROM "accounting_entries" AS e JOIN "quota_tag_filters" AS f ON f."tag_key" = NEW."key" AND (f."tag_value" IS NULL OR f."tag_value" = NEW."value"), (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE e."id" = NEW."entry_id" AND (f."model" IS NULL OR f."model" = e."model") AND (f."username" IS NULL OR f."username" = e."username") AND (f."caller_name" IS NULL OR f."caller_name" = e."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = e."project") OR (f."project_mode" = 2 AND e."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

DROP TRIGGER IF EXISTS "quota_tag_buckets_delete";
CREATE TRIGGER "quota_tag_buckets_delete" BEFORE DELETE ON "accounting_entries"
WHEN EXISTS (SELECT 1 FROM "quota_tag_filters")
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "usage_tags" AS t JOIN "quota_tag_filters" AS f ON f."tag_key" = t."key" AND (f."tag_value" IS NULL OR f."tag_value" = t."value") AND t."entry_id" = OLD."id", (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

DROP TRIGGER IF EXISTS "quota_tag_buckets_update";
CREATE TRIGGER "quota_tag_buckets_update" AFTER UPDATE OF "timestamp", "model", "username", "caller_name", "project", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos" ON "accounting_entries"
WHEN EXISTS (SELECT 1 FROM "quota_tag_filters")
BEGIN
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "usage_tags" AS t JOIN "quota_tag_filters" AS f ON f."tag_key" = t."key" AND (f."tag_value" IS NULL OR f."tag_value" = t."value") AND t."entry_id" = OLD."id", (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
  INSERT INTO "quota_buckets_hot" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", CAST(floor(unixepoch(NEW."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."cost_nanos"
  FROM "usage_tags" AS t JOIN "quota_tag_filters" AS f ON f."tag_key" = t."key" AND (f."tag_value" IS NULL OR f."tag_value" = t."value") AND t."entry_id" = NEW."id", (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = NEW."model") AND (f."username" IS NULL OR f."username" = NEW."username") AND (f."caller_name" IS NULL OR f."caller_name" = NEW."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = NEW."project") OR (f."project_mode" = 2 AND NEW."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

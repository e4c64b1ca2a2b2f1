-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_filters" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_mode" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_buckets" (
    "filter_id" INTEGER NOT NULL,
    "span" INTEGER NOT NULL,
    "start" BIGINT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("filter_id", "span", "start")
);

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "quota_filters_key_key" ON "quota_filters"("key");

-- Every statement can run again (IF NOT EXISTS): a lost _prisma_migrations row re-applies it.
-- Hand-written (Prisma schemas cannot express triggers): keep quota_buckets equal to the sums of
-- accounting_entries per registered filter and per minute, hour and day, inside the same
-- transaction as every write. Batches written by the batch writer (while its 'rollups_deferred'
-- row exists, inside its own write transaction) add their sums in one set-based statement instead.
-- The epoch second is floored, so the bucket of a row is floor(seconds / span) * span as in
-- the code that plans which buckets a window covers.
CREATE TRIGGER IF NOT EXISTS "quota_buckets_insert" AFTER INSERT ON "accounting_entries"
WHEN NOT EXISTS (SELECT 1 FROM "store_counters" WHERE "key" = 'rollups_deferred')
BEGIN
  INSERT INTO "quota_buckets" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(NEW."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = NEW."model") AND (f."username" IS NULL OR f."username" = NEW."username") AND (f."caller_name" IS NULL OR f."caller_name" = NEW."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = NEW."project") OR (f."project_mode" = 2 AND NEW."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

CREATE TRIGGER IF NOT EXISTS "quota_buckets_delete" AFTER DELETE ON "accounting_entries"
BEGIN
  INSERT INTO "quota_buckets" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

CREATE TRIGGER IF NOT EXISTS "quota_buckets_update" AFTER UPDATE OF "timestamp", "model", "username", "caller_name", "project", "prompt_tokens", "completion_tokens", "total_tokens", "cost_nanos" ON "accounting_entries"
BEGIN
  INSERT INTO "quota_buckets" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(OLD."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", -1, -OLD."prompt_tokens", -OLD."completion_tokens", -OLD."total_tokens", -OLD."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
  INSERT INTO "quota_buckets" ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", CAST(floor(unixepoch(NEW."timestamp") / CAST(s."span" AS REAL)) AS INTEGER) * s."span", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."cost_nanos"
  FROM "quota_filters" AS f, (SELECT 60 AS "span" UNION ALL SELECT 3600 UNION ALL SELECT 86400) AS s
  WHERE (f."model" IS NULL OR f."model" = NEW."model") AND (f."username" IS NULL OR f."username" = NEW."username") AND (f."caller_name" IS NULL OR f."caller_name" = NEW."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = NEW."project") OR (f."project_mode" = 2 AND NEW."project" IS NULL))
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = "requests" + excluded."requests", "input_tokens" = "input_tokens" + excluded."input_tokens", "output_tokens" = "output_tokens" + excluded."output_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos";
END;

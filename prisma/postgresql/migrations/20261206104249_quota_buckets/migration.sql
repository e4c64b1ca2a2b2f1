-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_filters" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_mode" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT,

    CONSTRAINT "quota_filters_pkey" PRIMARY KEY ("id")
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

    CONSTRAINT "quota_buckets_pkey" PRIMARY KEY ("filter_id","span","start")
);

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "quota_filters_key_key" ON "quota_filters"("key");

-- Every statement can run again (IF NOT EXISTS, OR REPLACE): a lost _prisma_migrations row re-applies it.
-- Hand-written (Prisma schemas cannot express triggers): keep quota_buckets equal to the sums of
-- accounting_entries per registered filter and per minute, hour and day, inside the same
-- transaction as every write. Statement-level triggers with transition tables add a whole
-- multi-row INSERT, UPDATE or DELETE in one grouped upsert; ORDER BY makes every statement lock
-- bucket rows in the same order, so two statements never wait on each other in a cycle.
CREATE OR REPLACE FUNCTION "quota_buckets_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_filters") THEN RETURN NULL; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", (floor(extract(epoch FROM r."timestamp") / s."span") * s."span")::bigint, SUM(r."n"), SUM(r."i"), SUM(r."o"), SUM(r."t"), SUM(r."c")
  FROM (SELECT "timestamp", "model", "username", "caller_name", "project", 1::bigint AS "n", 1 * "prompt_tokens"::bigint AS "i", 1 * "completion_tokens"::bigint AS "o", 1 * "total_tokens"::bigint AS "t", 1 * "cost_nanos" AS "c" FROM "new_rows") AS r JOIN "quota_filters" AS f ON (f."model" IS NULL OR f."model" = r."model") AND (f."username" IS NULL OR f."username" = r."username") AND (f."caller_name" IS NULL OR f."caller_name" = r."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = r."project") OR (f."project_mode" = 2 AND r."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "quota_buckets_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_filters") THEN RETURN NULL; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", (floor(extract(epoch FROM r."timestamp") / s."span") * s."span")::bigint, SUM(r."n"), SUM(r."i"), SUM(r."o"), SUM(r."t"), SUM(r."c")
  FROM (SELECT "timestamp", "model", "username", "caller_name", "project", -1::bigint AS "n", -1 * "prompt_tokens"::bigint AS "i", -1 * "completion_tokens"::bigint AS "o", -1 * "total_tokens"::bigint AS "t", -1 * "cost_nanos" AS "c" FROM "old_rows") AS r JOIN "quota_filters" AS f ON (f."model" IS NULL OR f."model" = r."model") AND (f."username" IS NULL OR f."username" = r."username") AND (f."caller_name" IS NULL OR f."caller_name" = r."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = r."project") OR (f."project_mode" = 2 AND r."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "quota_buckets_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_filters") THEN RETURN NULL; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT f."id", s."span", (floor(extract(epoch FROM r."timestamp") / s."span") * s."span")::bigint, SUM(r."n"), SUM(r."i"), SUM(r."o"), SUM(r."t"), SUM(r."c")
  FROM (SELECT "timestamp", "model", "username", "caller_name", "project", -1::bigint AS "n", -1 * "prompt_tokens"::bigint AS "i", -1 * "completion_tokens"::bigint AS "o", -1 * "total_tokens"::bigint AS "t", -1 * "cost_nanos" AS "c" FROM "old_rows" UNION ALL SELECT "timestamp", "model", "username", "caller_name", "project", 1::bigint AS "n", 1 * "prompt_tokens"::bigint AS "i", 1 * "completion_tokens"::bigint AS "o", 1 * "total_tokens"::bigint AS "t", 1 * "cost_nanos" AS "c" FROM "new_rows") AS r JOIN "quota_filters" AS f ON (f."model" IS NULL OR f."model" = r."model") AND (f."username" IS NULL OR f."username" = r."username") AND (f."caller_name" IS NULL OR f."caller_name" = r."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = r."project") OR (f."project_mode" = 2 AND r."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS "quota_buckets_insert" ON "accounting_entries";
CREATE TRIGGER "quota_buckets_insert" AFTER INSERT ON "accounting_entries" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "quota_buckets_insert"();
DROP TRIGGER IF EXISTS "quota_buckets_delete" ON "accounting_entries";
CREATE TRIGGER "quota_buckets_delete" AFTER DELETE ON "accounting_entries" REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "quota_buckets_delete"();
DROP TRIGGER IF EXISTS "quota_buckets_update" ON "accounting_entries";
CREATE TRIGGER "quota_buckets_update" AFTER UPDATE ON "accounting_entries" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "quota_buckets_update"();

-- Every write updates a few bucket rows in place: leave room on each page so the new versions
-- stay on it (HOT updates, no index change), and vacuum the dead ones often.
ALTER TABLE "quota_buckets" SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);

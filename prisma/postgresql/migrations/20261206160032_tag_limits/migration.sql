-- CreateTable (IF NOT EXISTS, foreign keys inline: the migration may be applied again safely)
CREATE TABLE IF NOT EXISTS "quota_reservation_tags" (
    "reservation_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "quota_reservation_tags_pkey" PRIMARY KEY ("reservation_id","key"),
    CONSTRAINT "quota_reservation_tags_reservation_id_fkey" FOREIGN KEY ("reservation_id") REFERENCES "quota_reservations"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "limit_tags" (
    "limit_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "limit_tags_pkey" PRIMARY KEY ("limit_id")
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "quota_tag_filters" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "tag_key" TEXT NOT NULL,
    "tag_value" TEXT,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_mode" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT,

    CONSTRAINT "quota_tag_filters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "quota_tag_filters_key_key" ON "quota_tag_filters"("key");

-- CreateIndex
CREATE INDEX IF NOT EXISTS "quota_tag_filters_tag_key_tag_value_idx" ON "quota_tag_filters"("tag_key", "tag_value");

-- Every statement can run again (IF NOT EXISTS, OR REPLACE, DROP ... IF EXISTS): a lost _prisma_migrations row re-applies it.
-- A limit's tag is part of the limit: any change bumps limits_version, as for usage_limits.
DROP TRIGGER IF EXISTS "limit_tags_version" ON "limit_tags";
CREATE TRIGGER "limit_tags_version" AFTER INSERT OR UPDATE OR DELETE ON "limit_tags"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('limits_version');

-- Hand-written: the buckets of TAG limits' filters (quota_tag_filters; bucket rows under
-- filter_id = -id in quota_buckets). A row's tags are inserted after the row in the same
-- transaction (one statement for a single insert, a second one for a batch), so the row is
-- counted when its tags arrive: a statement-level trigger on usage_tags joins the new tags to
-- their entries. An update of rows joins their tags (still there); a delete is counted per row
-- BEFORE it happens, because the ON DELETE CASCADE of usage_tags runs before any statement-level
-- AFTER trigger could read the tags. Each returns at once while no TAG filter exists.
CREATE OR REPLACE FUNCTION "quota_tag_buckets_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_tag_filters") THEN RETURN NULL; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", (floor(extract(epoch FROM e."timestamp") / s."span") * s."span")::bigint, COUNT(*), SUM(e."prompt_tokens"::bigint), SUM(e."completion_tokens"::bigint), SUM(e."total_tokens"::bigint), SUM(e."cost_nanos")
  FROM "new_tags" AS tg JOIN "accounting_entries" AS e ON e."id" = tg."entry_id" JOIN "quota_tag_filters" AS f ON f."tag_key" = tg."key" AND (f."tag_value" IS NULL OR f."tag_value" = tg."value") AND (f."model" IS NULL OR f."model" = e."model") AND (f."username" IS NULL OR f."username" = e."username") AND (f."caller_name" IS NULL OR f."caller_name" = e."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = e."project") OR (f."project_mode" = 2 AND e."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION "quota_tag_buckets_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_tag_filters") THEN RETURN OLD; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", (floor(extract(epoch FROM OLD."timestamp") / s."span") * s."span")::bigint, -1, -OLD."prompt_tokens"::bigint, -OLD."completion_tokens"::bigint, -OLD."total_tokens"::bigint, -OLD."cost_nanos"
  FROM "usage_tags" AS tg JOIN "quota_tag_filters" AS f ON f."tag_key" = tg."key" AND (f."tag_value" IS NULL OR f."tag_value" = tg."value") AND (f."model" IS NULL OR f."model" = OLD."model") AND (f."username" IS NULL OR f."username" = OLD."username") AND (f."caller_name" IS NULL OR f."caller_name" = OLD."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = OLD."project") OR (f."project_mode" = 2 AND OLD."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  WHERE tg."entry_id" = OLD."id"
  ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION "quota_tag_buckets_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "quota_tag_filters") THEN RETURN NULL; END IF;
  INSERT INTO "quota_buckets" AS b ("filter_id", "span", "start", "requests", "input_tokens", "output_tokens", "total_tokens", "cost_nanos")
  SELECT -f."id", s."span", (floor(extract(epoch FROM r."timestamp") / s."span") * s."span")::bigint, SUM(r."n"), SUM(r."i"), SUM(r."o"), SUM(r."t"), SUM(r."c")
  FROM (SELECT "id", "timestamp", "model", "username", "caller_name", "project", -1::bigint AS "n", -1 * "prompt_tokens"::bigint AS "i", -1 * "completion_tokens"::bigint AS "o", -1 * "total_tokens"::bigint AS "t", -1 * "cost_nanos" AS "c" FROM "old_rows" UNION ALL SELECT "id", "timestamp", "model", "username", "caller_name", "project", 1::bigint AS "n", 1 * "prompt_tokens"::bigint AS "i", 1 * "completion_tokens"::bigint AS "o", 1 * "total_tokens"::bigint AS "t", 1 * "cost_nanos" AS "c" FROM "new_rows") AS r JOIN "usage_tags" AS tg ON tg."entry_id" = r."id" JOIN "quota_tag_filters" AS f ON f."tag_key" = tg."key" AND (f."tag_value" IS NULL OR f."tag_value" = tg."value") AND (f."model" IS NULL OR f."model" = r."model") AND (f."username" IS NULL OR f."username" = r."username") AND (f."caller_name" IS NULL OR f."caller_name" = r."caller_name") AND (f."project_mode" = 0 OR (f."project_mode" = 1 AND f."project" = r."project") OR (f."project_mode" = 2 AND r."project" IS NULL)) CROSS JOIN (VALUES (60), (3600), (86400)) AS s("span")
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("filter_id", "span", "start") DO UPDATE SET "requests" = b."requests" + EXCLUDED."requests", "input_tokens" = b."input_tokens" + EXCLUDED."input_tokens", "output_tokens" = b."output_tokens" + EXCLUDED."output_tokens", "total_tokens" = b."total_tokens" + EXCLUDED."total_tokens", "cost_nanos" = b."cost_nanos" + EXCLUDED."cost_nanos";
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS "quota_tag_buckets_insert" ON "usage_tags";
CREATE TRIGGER "quota_tag_buckets_insert" AFTER INSERT ON "usage_tags" REFERENCING NEW TABLE AS "new_tags" FOR EACH STATEMENT EXECUTE FUNCTION "quota_tag_buckets_insert"();
DROP TRIGGER IF EXISTS "quota_tag_buckets_delete" ON "accounting_entries";
CREATE TRIGGER "quota_tag_buckets_delete" BEFORE DELETE ON "accounting_entries" FOR EACH ROW EXECUTE FUNCTION "quota_tag_buckets_delete"();
DROP TRIGGER IF EXISTS "quota_tag_buckets_update" ON "accounting_entries";
CREATE TRIGGER "quota_tag_buckets_update" AFTER UPDATE ON "accounting_entries" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "quota_tag_buckets_update"();

-- CreateTable
CREATE TABLE "usage_daily_dims" (
    "day" DATETIME NOT NULL,
    "username" TEXT NOT NULL,
    "username_null" BOOLEAN NOT NULL,
    "project" TEXT NOT NULL,
    "project_null" BOOLEAN NOT NULL,
    "caller_name" TEXT NOT NULL,
    "caller_name_null" BOOLEAN NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "total_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "local_total_tokens" BIGINT NOT NULL DEFAULT 0,
    "cached_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,
    "execution_micros" BIGINT NOT NULL DEFAULT 0,

    PRIMARY KEY ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null")
);

-- Hand-written (Prisma schemas cannot express triggers): keep usage_daily_dims equal to the daily
-- sums of accounting_entries by user, project and caller, inside the same transaction as every
-- write, starting from what the table already holds.
INSERT INTO "usage_daily_dims" ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
SELECT substr(e."timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE(e."username", ''), (e."username" IS NULL), COALESCE(e."project", ''), (e."project" IS NULL), COALESCE(e."caller_name", ''), (e."caller_name" IS NULL), COUNT(*), SUM(e."prompt_tokens"), SUM(e."completion_tokens"), SUM(e."total_tokens"), SUM(e."local_prompt_tokens"), SUM(e."local_completion_tokens"), SUM(e."local_total_tokens"), SUM(e."cached_tokens"), SUM(e."reasoning_tokens"), SUM(e."cost_nanos"), SUM(CAST(round(e."execution_time" * 1000000) AS INTEGER))
FROM "accounting_entries" AS e GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE TRIGGER "accounting_entries_daily_dims_insert" AFTER INSERT ON "accounting_entries" BEGIN
  INSERT INTO "usage_daily_dims" ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE(NEW."username", ''), (NEW."username" IS NULL), COALESCE(NEW."project", ''), (NEW."project" IS NULL), COALESCE(NEW."caller_name", ''), (NEW."caller_name" IS NULL), 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

CREATE TRIGGER "accounting_entries_daily_dims_delete" AFTER DELETE ON "accounting_entries" BEGIN
  UPDATE "usage_daily_dims" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER)
  WHERE "day" = substr(OLD."timestamp", 1, 10) || 'T00:00:00.000+00:00' AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL);
  DELETE FROM "usage_daily_dims" WHERE "day" = substr(OLD."timestamp", 1, 10) || 'T00:00:00.000+00:00' AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL) AND "requests" <= 0;
END;

CREATE TRIGGER "accounting_entries_daily_dims_update" AFTER UPDATE ON "accounting_entries" BEGIN
  UPDATE "usage_daily_dims" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER)
  WHERE "day" = substr(OLD."timestamp", 1, 10) || 'T00:00:00.000+00:00' AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL);
  DELETE FROM "usage_daily_dims" WHERE "day" = substr(OLD."timestamp", 1, 10) || 'T00:00:00.000+00:00' AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL) AND "requests" <= 0;
  INSERT INTO "usage_daily_dims" ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 10) || 'T00:00:00.000+00:00', COALESCE(NEW."username", ''), (NEW."username" IS NULL), COALESCE(NEW."project", ''), (NEW."project" IS NULL), COALESCE(NEW."caller_name", ''), (NEW."caller_name" IS NULL), 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

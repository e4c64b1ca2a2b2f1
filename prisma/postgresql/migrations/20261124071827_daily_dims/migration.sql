-- CreateTable
CREATE TABLE "usage_daily_dims" (
    "day" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_daily_dims_pkey" PRIMARY KEY ("day","username","username_null","project","project_null","caller_name","caller_name_null")
);

-- Hand-written (Prisma schemas cannot express triggers): keep usage_daily_dims equal to the daily
-- sums of accounting_entries by user, project and caller, inside the same transaction as every
-- write, starting from what the table already holds.
INSERT INTO "usage_daily_dims" ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
SELECT (date_trunc('day', e."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), COALESCE(e."username", ''), (e."username" IS NULL), COALESCE(e."project", ''), (e."project" IS NULL), COALESCE(e."caller_name", ''), (e."caller_name" IS NULL), COUNT(*), SUM(e."prompt_tokens"), SUM(e."completion_tokens"), SUM(e."total_tokens"), SUM(e."local_prompt_tokens"), SUM(e."local_completion_tokens"), SUM(e."local_total_tokens"), SUM(e."cached_tokens"), SUM(e."reasoning_tokens"), SUM(e."cost_nanos"), SUM(round(e."execution_time" * 1000000)::bigint)
FROM "accounting_entries" AS e GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE FUNCTION "usage_daily_dims_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "usage_daily_dims" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - round(OLD."execution_time" * 1000000)::bigint
    WHERE "day" = (date_trunc('day', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL);
    DELETE FROM "usage_daily_dims" WHERE "day" = (date_trunc('day', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND "username" = COALESCE(OLD."username", '') AND "username_null" = (OLD."username" IS NULL) AND "project" = COALESCE(OLD."project", '') AND "project_null" = (OLD."project" IS NULL) AND "caller_name" = COALESCE(OLD."caller_name", '') AND "caller_name_null" = (OLD."caller_name" IS NULL) AND "requests" <= 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "usage_daily_dims" AS d ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
    VALUES ((date_trunc('day', NEW."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), COALESCE(NEW."username", ''), (NEW."username" IS NULL), COALESCE(NEW."project", ''), (NEW."project" IS NULL), COALESCE(NEW."caller_name", ''), (NEW."caller_name" IS NULL), 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", round(NEW."execution_time" * 1000000)::bigint)
    ON CONFLICT ("day", "username", "username_null", "project", "project_null", "caller_name", "caller_name_null") DO UPDATE SET "requests" = d."requests" + 1, "prompt_tokens" = d."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = d."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = d."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = d."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = d."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = d."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = d."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = d."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = d."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = d."execution_micros" + EXCLUDED."execution_micros";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "accounting_entries_daily_dims" AFTER INSERT OR UPDATE OR DELETE ON "accounting_entries"
FOR EACH ROW EXECUTE FUNCTION "usage_daily_dims_apply"();

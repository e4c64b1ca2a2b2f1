-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "llm_acct_shadow_11284";

-- CreateTable
CREATE TABLE "accounting_entries" (
    "id" SERIAL NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_total_tokens" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,
    "execution_time" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "caller_name" TEXT,
    "username" TEXT,
    "cached_tokens" INTEGER NOT NULL DEFAULT 0,
    "reasoning_tokens" INTEGER NOT NULL DEFAULT 0,
    "notes" TEXT,
    "session" TEXT,

    CONSTRAINT "accounting_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_hourly" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "model" TEXT NOT NULL,
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

    CONSTRAINT "usage_hourly_pkey" PRIMARY KEY ("hour","model")
);

-- CreateTable
CREATE TABLE "usage_limits" (
    "id" SERIAL NOT NULL,
    "scope" TEXT NOT NULL,
    "limit_type" TEXT NOT NULL,
    "max_value" DOUBLE PRECISION NOT NULL,
    "interval_unit" TEXT NOT NULL,
    "interval_value" INTEGER NOT NULL,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_name" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_limits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log_entries" (
    "id" SERIAL NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "app_name" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_text" TEXT,
    "response_text" TEXT,
    "remote_completion_id" TEXT,
    "project" TEXT,
    "log_type" TEXT NOT NULL,
    "session" TEXT,

    CONSTRAINT "audit_log_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "user_name" TEXT NOT NULL,
    "ou_name" TEXT,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_enabled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_disabled_at" TIMESTAMPTZ(3),
    "enabled" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quota_rejections" (
    "id" SERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "session" TEXT NOT NULL,
    "rejection_message" TEXT NOT NULL,

    CONSTRAINT "quota_rejections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "accounting_entries_timestamp_idx" ON "accounting_entries"("timestamp");

-- CreateIndex
CREATE INDEX "accounting_entries_session_idx" ON "accounting_entries"("session");

-- CreateIndex
CREATE INDEX "ix_usage_limits_project_name" ON "usage_limits"("project_name");

-- CreateIndex
CREATE INDEX "ix_usage_limits_model" ON "usage_limits"("model");

-- CreateIndex
CREATE INDEX "ix_usage_limits_username" ON "usage_limits"("username");

-- CreateIndex
CREATE INDEX "ix_usage_limits_caller_name" ON "usage_limits"("caller_name");

-- CreateIndex
CREATE INDEX "audit_log_entries_timestamp_idx" ON "audit_log_entries"("timestamp");

-- CreateIndex
CREATE UNIQUE INDEX "projects_name_key" ON "projects"("name");

-- CreateIndex
CREATE UNIQUE INDEX "users_user_name_key" ON "users"("user_name");

-- CreateIndex
CREATE INDEX "quota_rejections_session_idx" ON "quota_rejections"("session");

-- Hand-written (Prisma schemas cannot express triggers): keep usage_hourly equal to the hourly,
-- per-model sums of accounting_entries, inside the same transaction as every write.
CREATE FUNCTION "usage_hourly_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "usage_hourly" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - round(OLD."execution_time" * 1000000)::bigint
    WHERE "hour" = (date_trunc('hour', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND "model" = OLD."model";
    DELETE FROM "usage_hourly" WHERE "hour" = (date_trunc('hour', OLD."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND "model" = OLD."model" AND "requests" <= 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "usage_hourly" AS h ("hour", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
    VALUES ((date_trunc('hour', NEW."timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", round(NEW."execution_time" * 1000000)::bigint)
    ON CONFLICT ("hour", "model") DO UPDATE SET "requests" = h."requests" + 1, "prompt_tokens" = h."prompt_tokens" + EXCLUDED."prompt_tokens", "completion_tokens" = h."completion_tokens" + EXCLUDED."completion_tokens", "total_tokens" = h."total_tokens" + EXCLUDED."total_tokens", "local_prompt_tokens" = h."local_prompt_tokens" + EXCLUDED."local_prompt_tokens", "local_completion_tokens" = h."local_completion_tokens" + EXCLUDED."local_completion_tokens", "local_total_tokens" = h."local_total_tokens" + EXCLUDED."local_total_tokens", "cached_tokens" = h."cached_tokens" + EXCLUDED."cached_tokens", "reasoning_tokens" = h."reasoning_tokens" + EXCLUDED."reasoning_tokens", "cost_nanos" = h."cost_nanos" + EXCLUDED."cost_nanos", "execution_micros" = h."execution_micros" + EXCLUDED."execution_micros";
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "accounting_entries_hourly" AFTER INSERT OR UPDATE OR DELETE ON "accounting_entries"
FOR EACH ROW EXECUTE FUNCTION "usage_hourly_apply"();

-- CreateTable
CREATE TABLE "accounting_entries" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "timestamp" DATETIME NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "local_total_tokens" INTEGER NOT NULL DEFAULT 0,
    "project" TEXT,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,
    "execution_time" REAL NOT NULL DEFAULT 0,
    "caller_name" TEXT,
    "username" TEXT,
    "cached_tokens" INTEGER NOT NULL DEFAULT 0,
    "reasoning_tokens" INTEGER NOT NULL DEFAULT 0,
    "notes" TEXT,
    "session" TEXT
);

-- CreateTable
CREATE TABLE "usage_hourly" (
    "hour" DATETIME NOT NULL,
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

    PRIMARY KEY ("hour", "model")
);

-- CreateTable
CREATE TABLE "usage_limits" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "scope" TEXT NOT NULL,
    "limit_type" TEXT NOT NULL,
    "max_value" REAL NOT NULL,
    "interval_unit" TEXT NOT NULL,
    "interval_value" INTEGER NOT NULL,
    "model" TEXT,
    "username" TEXT,
    "caller_name" TEXT,
    "project_name" TEXT,
    "created_at" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "audit_log_entries" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "timestamp" DATETIME NOT NULL,
    "app_name" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_text" TEXT,
    "response_text" TEXT,
    "remote_completion_id" TEXT,
    "project" TEXT,
    "log_type" TEXT NOT NULL,
    "session" TEXT
);

-- CreateTable
CREATE TABLE "projects" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "users" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "user_name" TEXT NOT NULL,
    "ou_name" TEXT,
    "email" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_enabled_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_disabled_at" DATETIME,
    "enabled" BOOLEAN NOT NULL DEFAULT true
);

-- CreateTable
CREATE TABLE "quota_rejections" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "created_at" DATETIME NOT NULL,
    "session" TEXT NOT NULL,
    "rejection_message" TEXT NOT NULL
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
-- The hour key relies on the ISO text form Prisma writes: 2025-01-15T10:30:00.123+00:00.
CREATE TRIGGER "accounting_entries_hourly_insert" AFTER INSERT ON "accounting_entries" BEGIN
  INSERT INTO "usage_hourly" ("hour", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 13) || ':00:00.000+00:00', NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("hour", "model") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

CREATE TRIGGER "accounting_entries_hourly_delete" AFTER DELETE ON "accounting_entries" BEGIN
  UPDATE "usage_hourly" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER)
  WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model";
  DELETE FROM "usage_hourly" WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND "requests" <= 0;
END;

CREATE TRIGGER "accounting_entries_hourly_update" AFTER UPDATE ON "accounting_entries" BEGIN
  UPDATE "usage_hourly" SET "requests" = "requests" - 1, "prompt_tokens" = "prompt_tokens" - OLD."prompt_tokens", "completion_tokens" = "completion_tokens" - OLD."completion_tokens", "total_tokens" = "total_tokens" - OLD."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" - OLD."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" - OLD."local_completion_tokens", "local_total_tokens" = "local_total_tokens" - OLD."local_total_tokens", "cached_tokens" = "cached_tokens" - OLD."cached_tokens", "reasoning_tokens" = "reasoning_tokens" - OLD."reasoning_tokens", "cost_nanos" = "cost_nanos" - OLD."cost_nanos", "execution_micros" = "execution_micros" - CAST(round(OLD."execution_time" * 1000000) AS INTEGER)
  WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model";
  DELETE FROM "usage_hourly" WHERE "hour" = substr(OLD."timestamp", 1, 13) || ':00:00.000+00:00' AND "model" = OLD."model" AND "requests" <= 0;
  INSERT INTO "usage_hourly" ("hour", "model", "requests", "prompt_tokens", "completion_tokens", "total_tokens", "local_prompt_tokens", "local_completion_tokens", "local_total_tokens", "cached_tokens", "reasoning_tokens", "cost_nanos", "execution_micros")
  VALUES (substr(NEW."timestamp", 1, 13) || ':00:00.000+00:00', NEW."model", 1, NEW."prompt_tokens", NEW."completion_tokens", NEW."total_tokens", NEW."local_prompt_tokens", NEW."local_completion_tokens", NEW."local_total_tokens", NEW."cached_tokens", NEW."reasoning_tokens", NEW."cost_nanos", CAST(round(NEW."execution_time" * 1000000) AS INTEGER))
  ON CONFLICT ("hour", "model") DO UPDATE SET "requests" = "requests" + 1, "prompt_tokens" = "prompt_tokens" + excluded."prompt_tokens", "completion_tokens" = "completion_tokens" + excluded."completion_tokens", "total_tokens" = "total_tokens" + excluded."total_tokens", "local_prompt_tokens" = "local_prompt_tokens" + excluded."local_prompt_tokens", "local_completion_tokens" = "local_completion_tokens" + excluded."local_completion_tokens", "local_total_tokens" = "local_total_tokens" + excluded."local_total_tokens", "cached_tokens" = "cached_tokens" + excluded."cached_tokens", "reasoning_tokens" = "reasoning_tokens" + excluded."reasoning_tokens", "cost_nanos" = "cost_nanos" + excluded."cost_nanos", "execution_micros" = "execution_micros" + excluded."execution_micros";
END;

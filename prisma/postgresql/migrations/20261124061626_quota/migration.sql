-- CreateTable
CREATE TABLE "quota_reservations" (
    "id" SERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "model" TEXT NOT NULL,
    "username" TEXT,
    "caller_name" TEXT,
    "project" TEXT,
    "session" TEXT,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "cost_nanos" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "quota_reservations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "store_counters" (
    "key" TEXT NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "store_counters_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "quota_reservations_expires_at_idx" ON "quota_reservations"("expires_at");

-- Hand-written (Prisma schemas cannot express triggers): the counters other processes watch to
-- notice changes without re-reading tables. limits_version: any change to usage_limits;
-- entries_mutations: an accounting entry updated or deleted (inserts are followed by id instead).
INSERT INTO "store_counters" ("key", "value") VALUES ('limits_version', 0), ('entries_mutations', 0);

CREATE FUNCTION "store_counter_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = TG_ARGV[0];
  RETURN NULL;
END
$$;

CREATE TRIGGER "usage_limits_version" AFTER INSERT OR UPDATE OR DELETE ON "usage_limits"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('limits_version');

CREATE TRIGGER "accounting_entries_mutation" AFTER UPDATE OR DELETE ON "accounting_entries"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('entries_mutations');

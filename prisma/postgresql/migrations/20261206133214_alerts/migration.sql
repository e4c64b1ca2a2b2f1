-- CreateTable
CREATE TABLE IF NOT EXISTS "limit_alert_thresholds" (
    "limit_id" INTEGER NOT NULL,
    "alert_at" TEXT NOT NULL,

    CONSTRAINT "limit_alert_thresholds_pkey" PRIMARY KEY ("limit_id")
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "alerts" (
    "id" SERIAL NOT NULL,
    "limit_id" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "window_key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3),
    "limit_type" TEXT NOT NULL,
    "max_value" DOUBLE PRECISION NOT NULL,
    "interval_unit" TEXT NOT NULL,
    "interval_value" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "usage" DOUBLE PRECISION NOT NULL,
    "projected_usage" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "delivery_state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "ix_alerts_delivery" ON "alerts"("delivery_state", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "alerts_limit_threshold_window_key" ON "alerts"("limit_id", "threshold", "window_key");

-- Thresholds are part of a limit: any change bumps limits_version, as for usage_limits.
DROP TRIGGER IF EXISTS "limit_alert_thresholds_version" ON "limit_alert_thresholds";
CREATE TRIGGER "limit_alert_thresholds_version" AFTER INSERT OR UPDATE OR DELETE ON "limit_alert_thresholds"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('limits_version');

-- CreateTable
CREATE TABLE IF NOT EXISTS "limit_alert_thresholds" (
    "limit_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "alert_at" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE IF NOT EXISTS "alerts" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "limit_id" INTEGER NOT NULL,
    "threshold" REAL NOT NULL,
    "window_key" TEXT NOT NULL,
    "window_start" DATETIME NOT NULL,
    "window_end" DATETIME,
    "limit_type" TEXT NOT NULL,
    "max_value" REAL NOT NULL,
    "interval_unit" TEXT NOT NULL,
    "interval_value" INTEGER NOT NULL,
    "scope" TEXT NOT NULL,
    "usage" REAL NOT NULL,
    "projected_usage" REAL NOT NULL,
    "created_at" DATETIME NOT NULL,
    "delivery_state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME,
    "lease_until" DATETIME,
    "delivered_at" DATETIME,
    "last_error" TEXT
);

-- CreateIndex
CREATE INDEX IF NOT EXISTS "ix_alerts_delivery" ON "alerts"("delivery_state", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "alerts_limit_threshold_window_key" ON "alerts"("limit_id", "threshold", "window_key");

-- Thresholds are part of a limit: any change bumps limits_version, as for usage_limits.
CREATE TRIGGER IF NOT EXISTS "limit_alert_thresholds_version_insert" AFTER INSERT ON "limit_alert_thresholds" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;
CREATE TRIGGER IF NOT EXISTS "limit_alert_thresholds_version_update" AFTER UPDATE ON "limit_alert_thresholds" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;
CREATE TRIGGER IF NOT EXISTS "limit_alert_thresholds_version_delete" AFTER DELETE ON "limit_alert_thresholds" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'limits_version';
END;

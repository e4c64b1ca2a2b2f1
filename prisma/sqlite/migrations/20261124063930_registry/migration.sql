-- CreateIndex
CREATE INDEX "audit_log_entries_session_idx" ON "audit_log_entries"("session");

-- Hand-written (Prisma schemas cannot express triggers): registry_version changes whenever a
-- project or user changes, so name enforcement can cache the registries across calls.
INSERT INTO "store_counters" ("key", "value") VALUES ('registry_version', 0);

CREATE TRIGGER "projects_registry_insert" AFTER INSERT ON "projects" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

CREATE TRIGGER "projects_registry_update" AFTER UPDATE ON "projects" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

CREATE TRIGGER "projects_registry_delete" AFTER DELETE ON "projects" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

CREATE TRIGGER "users_registry_insert" AFTER INSERT ON "users" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

CREATE TRIGGER "users_registry_update" AFTER UPDATE ON "users" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

CREATE TRIGGER "users_registry_delete" AFTER DELETE ON "users" BEGIN
  UPDATE "store_counters" SET "value" = "value" + 1 WHERE "key" = 'registry_version';
END;

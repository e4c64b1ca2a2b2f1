-- CreateIndex
CREATE INDEX "audit_log_entries_session_idx" ON "audit_log_entries"("session");

-- Hand-written (Prisma schemas cannot express triggers): registry_version changes whenever a
-- project or user changes, so name enforcement can cache the registries across calls.
INSERT INTO "store_counters" ("key", "value") VALUES ('registry_version', 0);

CREATE TRIGGER "projects_registry" AFTER INSERT OR UPDATE OR DELETE ON "projects"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('registry_version');

CREATE TRIGGER "users_registry" AFTER INSERT OR UPDATE OR DELETE ON "users"
FOR EACH STATEMENT EXECUTE FUNCTION "store_counter_bump"('registry_version');

-- CreateIndex
CREATE UNIQUE INDEX "_unique_limit_constraint" ON "usage_limits"("scope", "limit_type", "model", "username", "caller_name", "project_name");

export { AuditLogger, type AuditContext, type AuditEvent, type AuditLoggerOptions, type AuditQuery, type Redactor } from "./audit-logger.js";

import { ConflictError, selectAuditEntries, type AuditEntry, type AuditFilter, type NewAuditEntry, type NewQuotaRejection, type QuotaRejection, type NewUser, type UserChanges, type UserRecord } from "@llm-accounting/core";
import type { MemoryData } from "./memory-data.js";

// Every change to a registry bumps `registryVersion`: name enforcement in other processes
// re-reads the registries only when that number moves.

/** Adds a project; a name is registered once. */
export function createProject(data: MemoryData, name: string): void {
  if (data.projects.includes(name)) throw new ConflictError(`Project '${name}' already exists`);
  data.projects.push(name);
  data.registryVersion++;
}

/** Renames a project; false when unknown, ConflictError when the new name is taken. */
export function renameProject(data: MemoryData, name: string, newName: string): boolean {
  if (!data.projects.includes(name)) return false;
  if (data.projects.includes(newName)) throw new ConflictError(`Project '${newName}' already exists`);
  data.projects = data.projects.map((p) => (p === name ? newName : p));
  data.registryVersion++;
  return true;
}

/** Deletes a project; false when unknown. */
export function deleteProject(data: MemoryData, name: string): boolean {
  if (!data.projects.includes(name)) return false;
  data.projects = data.projects.filter((p) => p !== name);
  data.registryVersion++;
  return true;
}

/** Registers a user, enabled unless an import says otherwise. */
export function createUser(data: MemoryData, user: NewUser, now: Date): UserRecord {
  if (data.users.some((u) => u.userName === user.userName)) throw new ConflictError(`User '${user.userName}' already exists`);
  const createdAt = user.createdAt ?? now;
  const record: UserRecord = {
    id: data.nextId("users"),
    userName: user.userName,
    ouName: user.ouName,
    email: user.email,
    enabled: user.enabled ?? true,
    createdAt,
    lastEnabledAt: user.lastEnabledAt ?? createdAt,
    lastDisabledAt: user.lastDisabledAt ?? null,
  };
  data.users.push(record);
  data.registryVersion++;
  return { ...record };
}

/** Applies the given changes to a user; false when unknown, ConflictError when renaming onto another user. */
export function updateUser(data: MemoryData, userName: string, changes: UserChanges): boolean {
  if (!data.users.some((u) => u.userName === userName)) return false;
  const { newUserName } = changes;
  if (newUserName !== undefined && newUserName !== userName && data.users.some((u) => u.userName === newUserName)) {
    throw new ConflictError(`User '${newUserName}' already exists`);
  }
  data.users = data.users.map((u) =>
    u.userName !== userName
      ? u
      : {
          ...u,
          ...(newUserName !== undefined && { userName: newUserName }),
          ...(changes.ouName !== undefined && { ouName: changes.ouName }),
          ...(changes.email !== undefined && { email: changes.email }),
        },
  );
  data.registryVersion++;
  return true;
}

/** Enables or disables a user, stamping when; the other stamp keeps its history. */
export function setUserEnabled(data: MemoryData, userName: string, enabled: boolean, now: Date): boolean {
  if (!data.users.some((u) => u.userName === userName)) return false;
  data.users = data.users.map((u) => (u.userName !== userName ? u : enabled ? { ...u, enabled, lastEnabledAt: now } : { ...u, enabled, lastDisabledAt: now }));
  data.registryVersion++;
  return true;
}

/** Users sorted by name. */
export function listUsers(data: MemoryData): UserRecord[] {
  return [...data.users].sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0)).map((u) => ({ ...u }));
}

/** Audit entries matching every given filter field, newest first (timestamp, then id); copies. */
export function listAuditEntries(data: MemoryData, filter: AuditFilter): AuditEntry[] {
  return selectAuditEntries(data.audit, filter).map((e) => ({ ...e }));
}

/** Stores a quota rejection; returns its id. */
export function addRejection(data: MemoryData, rejection: NewQuotaRejection): number {
  const id = data.nextId("rejections");
  data.rejections.push({ ...rejection, id });
  return id;
}

/** Rejections, newest first, optionally of one session; copies. */
export function listRejections(data: MemoryData, session?: string): QuotaRejection[] {
  return data.rejections
    .filter((r) => session === undefined || r.session === session)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
    .map((r) => ({ ...r }));
}

/** Stores an audit entry (its timestamp copied); returns its id. */
export function addAuditEntry(data: MemoryData, entry: NewAuditEntry): number {
  const id = data.nextId("audit");
  data.audit.push({ ...entry, timestamp: new Date(entry.timestamp), id });
  return id;
}

import { ConflictError, type NewUser, type UserChanges, type UserRecord } from "@llm-accounting/core";
import { REGISTRY_VERSION, type CsvTables } from "./csv-tables.js";

// The project and user registries of the CSV store. Every change bumps the registry version
// first: a version bumped for a change that then failed only makes caches re-read.

/** Adds a project; a taken name is a ConflictError. */
export function createProject(t: CsvTables, name: string): Promise<void> {
  return t.write(() => {
    if (t.projects.rows.some((p) => p.name === name)) throw new ConflictError(`Project '${name}' already exists`);
    t.projects.append([{ name }]);
    t.bump(REGISTRY_VERSION);
  });
}

/** The project names, sorted. */
export function listProjects(t: CsvTables): Promise<string[]> {
  return t.locked(() => t.projects.rows.map((p) => p.name).sort());
}

/** Renames a project; false when it does not exist, a ConflictError when the new name is taken. */
export function renameProject(t: CsvTables, name: string, newName: string): Promise<boolean> {
  return t.write(() => {
    if (!t.projects.rows.some((p) => p.name === name)) return false;
    if (t.projects.rows.some((p) => p.name === newName)) throw new ConflictError(`Project '${newName}' already exists`);
    t.bump(REGISTRY_VERSION);
    t.projects.rewrite(t.projects.rows.map((p) => (p.name === name ? { ...p, name: newName } : p)));
    return true;
  });
}

/** Deletes a project; false when it does not exist. */
export function deleteProject(t: CsvTables, name: string): Promise<boolean> {
  return t.write(() => {
    const kept = t.projects.rows.filter((p) => p.name !== name);
    if (kept.length === t.projects.rows.length) return false;
    t.bump(REGISTRY_VERSION);
    t.projects.rewrite(kept);
    return true;
  });
}

/** Adds a user, enabled unless told otherwise; a taken name is a ConflictError. */
export function createUser(t: CsvTables, user: NewUser, now: Date): Promise<UserRecord> {
  return t.write(() => {
    if (t.users.rows.some((u) => u.userName === user.userName)) throw new ConflictError(`User '${user.userName}' already exists`);
    const createdAt = user.createdAt ?? now;
    const [stored] = t.users.append([
      { userName: user.userName, ouName: user.ouName, email: user.email, enabled: user.enabled ?? true, createdAt, lastEnabledAt: user.lastEnabledAt ?? createdAt, lastDisabledAt: user.lastDisabledAt ?? null },
    ]);
    t.bump(REGISTRY_VERSION);
    return stored!;
  });
}

/** The users, sorted by name. */
export function listUsers(t: CsvTables): Promise<UserRecord[]> {
  return t.locked(() => [...t.users.rows].sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0)));
}

/** Changes a user's name, OU or email; false when the user does not exist. */
export function updateUser(t: CsvTables, userName: string, changes: UserChanges): Promise<boolean> {
  return t.write(() => {
    if (!t.users.rows.some((u) => u.userName === userName)) return false;
    if (changes.newUserName !== undefined && changes.newUserName !== userName && t.users.rows.some((u) => u.userName === changes.newUserName)) {
      throw new ConflictError(`User '${changes.newUserName}' already exists`);
    }
    t.bump(REGISTRY_VERSION);
    t.users.rewrite(
      t.users.rows.map((u) =>
        u.userName !== userName
          ? u
          : {
              ...u,
              ...(changes.newUserName !== undefined && { userName: changes.newUserName }),
              ...(changes.ouName !== undefined && { ouName: changes.ouName }),
              ...(changes.email !== undefined && { email: changes.email }),
            },
      ),
    );
    return true;
  });
}

/** Enables or disables a user, stamping when; false when the user does not exist. */
export function setUserEnabled(t: CsvTables, userName: string, enabled: boolean, now: Date): Promise<boolean> {
  return t.write(() => {
    if (!t.users.rows.some((u) => u.userName === userName)) return false;
    t.bump(REGISTRY_VERSION);
    t.users.rewrite(t.users.rows.map((u) => (u.userName !== userName ? u : enabled ? { ...u, enabled, lastEnabledAt: now } : { ...u, enabled, lastDisabledAt: now })));
    return true;
  });
}

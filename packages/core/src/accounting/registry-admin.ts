import { NotFoundError, ValidationError } from "../errors.js";
import type { NewUser, UserChanges, UserRecord } from "../store/registry-records.js";
import { checkOptionalName, checkStorableName, checkStorableText, SHORT_TEXT_MAX_LENGTH } from "../storable-text.js";
import type { FacadeState } from "./facade-state.js";

// A name looked up need only be text the store can hold: one stored before the length rule (an
// import) must stay reachable. New names must be storable names.

/** Registers a project; an existing name is a `ConflictError`. */
export async function createProject(state: FacadeState, name: string): Promise<void> {
  requiredName(name, "name");
  await state.open();
  await state.store.createProject(name);
}

/** Registered project names, sorted. */
export async function listProjects(state: FacadeState): Promise<string[]> {
  await state.open();
  return state.store.listProjects();
}

/** Renames a project; `NotFoundError` when unknown. */
export async function renameProject(state: FacadeState, name: string, newName: string): Promise<void> {
  requiredName(newName, "newName");
  checkStorableText(name, "name");
  await state.open();
  if (!(await state.store.renameProject(name, newName))) throw new NotFoundError(`no project named '${name}'`);
}

/** Deletes a project from the registry; `NotFoundError` when unknown. */
export async function deleteProject(state: FacadeState, name: string): Promise<void> {
  checkStorableText(name, "name");
  await state.open();
  if (!(await state.store.deleteProject(name))) throw new NotFoundError(`no project named '${name}'`);
}

/** Registers a user, enabled; an existing name is a `ConflictError`. */
export async function createUser(state: FacadeState, user: { userName: string; ouName?: string | null; email?: string | null }): Promise<UserRecord> {
  const record: NewUser = {
    userName: requiredName(user.userName, "userName"),
    ouName: checkOptionalName(user.ouName ?? null, "ouName", SHORT_TEXT_MAX_LENGTH),
    email: checkOptionalName(user.email ?? null, "email", SHORT_TEXT_MAX_LENGTH),
  };
  await state.open();
  return state.store.createUser(record, state.now());
}

/** Registered users, sorted by name, including deactivated ones. */
export async function listUsers(state: FacadeState): Promise<UserRecord[]> {
  await state.open();
  return state.store.listUsers();
}

/** Changes a user's name, OU or email; `NotFoundError` when unknown. */
export async function updateUser(state: FacadeState, userName: string, changes: UserChanges): Promise<void> {
  checkStorableText(userName, "userName");
  if (changes.newUserName !== undefined) requiredName(changes.newUserName, "newUserName");
  if (changes.ouName != null) checkStorableName(changes.ouName, "ouName", SHORT_TEXT_MAX_LENGTH);
  if (changes.email != null) checkStorableName(changes.email, "email", SHORT_TEXT_MAX_LENGTH);
  await state.open();
  if (!(await state.store.updateUser(userName, changes))) throw new NotFoundError(`no user named '${userName}'`);
}

/** Enables or disables a user, stamping when; `NotFoundError` when unknown. */
export async function setUserEnabled(state: FacadeState, userName: string, enabled: boolean): Promise<void> {
  checkStorableText(userName, "userName");
  await state.open();
  if (!(await state.store.setUserEnabled(userName, enabled, state.now()))) throw new NotFoundError(`no user named '${userName}'`);
}

function requiredName(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(field, "must be a non-empty string");
  return checkStorableName(value, field);
}

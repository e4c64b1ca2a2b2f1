import { NameNotAllowedError } from "../errors.js";
import type { UsageStore } from "../store/usage-store.js";

/**
 * Checks project and user names against the registries when enforcement is on (docs/behaviour.md),
 * re-reading the registries only when the store's registry version changes.
 * Unlike the original, a deactivated user is refused too.
 */
export class NameEnforcement {
  readonly #store: UsageStore;
  readonly #projects: boolean;
  readonly #users: boolean;
  #version: number | undefined;
  #projectNames = new Set<string>();
  #userStates = new Map<string, boolean>();

  constructor(store: UsageStore, enforce: { projects: boolean; users: boolean }) {
    this.#store = store;
    this.#projects = enforce.projects;
    this.#users = enforce.users;
  }

  /** Whether any name is checked at all (lets batch paths skip the per-record calls). */
  get active(): boolean {
    return this.#projects || this.#users;
  }

  /** Throws `NameNotAllowedError` for an unregistered project or an unknown or deactivated user; null always passes. */
  async check(project: string | null, user: string | null): Promise<void> {
    const needProject = this.#projects && project !== null;
    const needUser = this.#users && user !== null;
    if (!needProject && !needUser) return;
    await this.#refresh();
    if (needProject && !this.#projectNames.has(project)) throw new NameNotAllowedError(`Project name '${project}' is not in allowed projects`);
    if (needUser) {
      const enabled = this.#userStates.get(user);
      if (enabled === undefined) throw new NameNotAllowedError(`User name '${user}' is not in allowed users`);
      if (!enabled) throw new NameNotAllowedError(`User name '${user}' is deactivated`);
    }
  }

  async #refresh(): Promise<void> {
    const version = await this.#store.registryVersion();
    if (version === this.#version) return;
    const [projects, users] = await Promise.all([this.#store.listProjects(), this.#store.listUsers()]);
    this.#projectNames = new Set(projects);
    this.#userStates = new Map(users.map((u) => [u.userName, u.enabled]));
    this.#version = version;
  }
}

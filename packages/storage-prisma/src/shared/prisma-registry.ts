import { ConflictError, type NewUser, type UserChanges, type UserRecord } from "@llm-accounting/core";

/** The part of Prisma's `project` delegate the stores use. */
export interface ProjectDelegate {
  create(args: { data: { name: string } }): PromiseLike<unknown>;
  findMany(args: { orderBy: { name: "asc" }; select: { name: true } }): PromiseLike<{ name: string }[]>;
  updateMany(args: { where: { name: string }; data: { name: string } }): PromiseLike<{ count: number }>;
  deleteMany(args: { where: { name: string } }): PromiseLike<{ count: number }>;
}

/** The part of Prisma's `user` delegate the stores use. */
export interface UserDelegate {
  create(args: { data: Required<NewUser> }): PromiseLike<UserRecord>;
  findMany(args: { orderBy: { userName: "asc" } }): PromiseLike<UserRecord[]>;
  updateMany(args: { where: { userName: string }; data: Record<string, unknown> }): PromiseLike<{ count: number }>;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/** Project and user registry operations on either Prisma client. */
export class PrismaRegistry {
  readonly #projects: () => Promise<ProjectDelegate>;
  readonly #users: () => Promise<UserDelegate>;

  constructor(projects: () => Promise<ProjectDelegate>, users: () => Promise<UserDelegate>) {
    this.#projects = projects;
    this.#users = users;
  }

  /** Adds a project; an existing name is a conflict. */
  async createProject(name: string): Promise<void> {
    try {
      await (await this.#projects()).create({ data: { name } });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Project '${name}' already exists`, { cause: error });
      throw error;
    }
  }

  /** Project names, sorted. */
  async listProjects(): Promise<string[]> {
    return (await (await this.#projects()).findMany({ orderBy: { name: "asc" }, select: { name: true } })).map((p) => p.name);
  }

  /** Renames a project; false when unknown; an existing new name is a conflict. */
  async renameProject(name: string, newName: string): Promise<boolean> {
    try {
      return (await (await this.#projects()).updateMany({ where: { name }, data: { name: newName } })).count > 0;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`Project '${newName}' already exists`, { cause: error });
      throw error;
    }
  }

  /** Deletes a project; false when unknown. */
  async deleteProject(name: string): Promise<boolean> {
    return (await (await this.#projects()).deleteMany({ where: { name } })).count > 0;
  }

  /** Adds an enabled user; an existing name is a conflict. */
  async createUser(user: NewUser, now: Date): Promise<UserRecord> {
    try {
      const data: Required<NewUser> = {
        userName: user.userName,
        ouName: user.ouName,
        email: user.email,
        enabled: user.enabled ?? true,
        createdAt: user.createdAt ?? now,
        lastEnabledAt: user.lastEnabledAt ?? user.createdAt ?? now,
        lastDisabledAt: user.lastDisabledAt ?? null,
      };
      return await (await this.#users()).create({ data });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`User '${user.userName}' already exists`, { cause: error });
      throw error;
    }
  }

  /** Users sorted by name. */
  async listUsers(): Promise<UserRecord[]> {
    return (await this.#users()).findMany({ orderBy: { userName: "asc" } });
  }

  /** Applies the given changes; false when the user is unknown. */
  async updateUser(userName: string, changes: UserChanges): Promise<boolean> {
    const data: Record<string, unknown> = {};
    if (changes.newUserName !== undefined) data.userName = changes.newUserName;
    if (changes.ouName !== undefined) data.ouName = changes.ouName;
    if (changes.email !== undefined) data.email = changes.email;
    try {
      return (await (await this.#users()).updateMany({ where: { userName }, data })).count > 0;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`User '${changes.newUserName}' already exists`, { cause: error });
      throw error;
    }
  }

  /** Enables or disables a user and stamps when; false when unknown. */
  async setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean> {
    const data = enabled ? { enabled, lastEnabledAt: now } : { enabled, lastDisabledAt: now };
    return (await (await this.#users()).updateMany({ where: { userName }, data })).count > 0;
  }
}

/** A registered user. */
export interface UserRecord {
  readonly id: number;
  readonly userName: string;
  /** Organisational unit. */
  readonly ouName: string | null;
  readonly email: string | null;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly lastEnabledAt: Date;
  readonly lastDisabledAt: Date | null;
}

/** A user to register; the optional state is for imports that keep a user's history. */
export interface NewUser {
  readonly userName: string;
  readonly ouName: string | null;
  readonly email: string | null;
  readonly enabled?: boolean;
  readonly createdAt?: Date;
  readonly lastEnabledAt?: Date;
  readonly lastDisabledAt?: Date | null;
}

/** Changes to a user; absent fields are kept. */
export interface UserChanges {
  readonly newUserName?: string;
  readonly ouName?: string | null;
  readonly email?: string | null;
}

/** Project and user registries (name enforcement reads them). */
export interface RegistryStore {
  /** Adds a project; throws `ConflictError` when the name exists. */
  createProject(name: string): Promise<void>;
  /** Project names, sorted. */
  listProjects(): Promise<string[]>;
  /** Renames a project; false when there is none of that name. Throws `ConflictError` if the new name exists. */
  renameProject(name: string, newName: string): Promise<boolean>;
  /** Deletes a project; false when there is none of that name. */
  deleteProject(name: string): Promise<boolean>;
  /** Adds a user (enabled); throws `ConflictError` when the name exists. */
  createUser(user: NewUser, now: Date): Promise<UserRecord>;
  /** Users, sorted by name, enabled or not. */
  listUsers(): Promise<UserRecord[]>;
  /** Updates a user; false when there is none of that name. */
  updateUser(userName: string, changes: UserChanges): Promise<boolean>;
  /** Enables or disables a user, stamping last_enabled_at / last_disabled_at; false when unknown. */
  setUserEnabled(userName: string, enabled: boolean, now: Date): Promise<boolean>;
  /** A number that changes whenever any process changes projects or users. */
  registryVersion(): Promise<number>;
}

/** One Prisma migration, embedded at build time from prisma/<provider>/migrations. */
export interface Migration {
  /** Directory name, e.g. `20261124060132_init`; recorded as `migration_name`. */
  readonly name: string;
  /** SHA-256 of the SQL, as Prisma records it. */
  readonly checksum: string;
  readonly sql: string;
}

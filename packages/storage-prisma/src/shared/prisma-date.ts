/** A DateTime field as Prisma returns it (already a Date): the `date` decoder the row mappers take on the Prisma path. */
export const prismaDate = (value: unknown): Date => value as Date;

/** The part of a Prisma client error that says what the database answered. */
interface DriverErrorShape {
  readonly meta?: { readonly driverAdapterError?: { readonly cause?: { readonly message?: unknown } } };
}

/** Prisma's preamble naming the call that failed, e.g. "Invalid `prisma.usageLimit.create()` invocation:". */
const PRISMA_INVOCATION = /^[\s\S]*Invalid `prisma\.[\w.]+\(\)` invocation:/;

/**
 * What the database said, without the Prisma invocation text a store's write error carries
 * ("Invalid `prisma.usageLimit.create()` invocation: ... Code: `SQLITE_FULL` ..."): the driver's own
 * message ("database or disk is full"), as `track` reports it. Undefined for other errors.
 */
export function storeErrorMessage(error: Error): string | undefined {
  const driverMessage = (error as DriverErrorShape).meta?.driverAdapterError?.cause?.message;
  if (typeof driverMessage === "string" && driverMessage.trim() !== "") return driverMessage;
  if (PRISMA_INVOCATION.test(error.message)) return error.message.replace(PRISMA_INVOCATION, "").trim();
  return undefined;
}

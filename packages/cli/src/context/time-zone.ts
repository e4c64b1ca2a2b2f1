import { isTimeZone } from "@llm-accounting/core";
import { UsageError } from "../errors.js";

/** `zone` if it is an IANA time zone name Node knows (`Europe/Paris`, `UTC`); a usage error naming --timezone otherwise. */
export function checkTimeZone(zone: string): string {
  if (!isTimeZone(zone)) throw new UsageError(`--timezone must be an IANA time zone such as UTC, Europe/Paris or America/New_York (got "${zone}")`);
  return zone;
}

import type { LimitTag } from "@llm-accounting/core";
import { UsageError } from "../errors.js";
import { tagFlags } from "./tag-flags.js";

/**
 * A yargs `coerce` for `limits set --tag key=value`: one tag (a limit is about one), parsed as
 * `track --tag` parses it; the value is checked by core, which names `tag.value`.
 */
export const limitTagFlag = (flag: string) => (value: unknown): LimitTag | undefined => {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.length > 1) throw new UsageError(`--${flag} must be given once: a limit is about one tag (got ${value.length})`);
  const tags = tagFlags(flag)(Array.isArray(value) ? value[0] : value)!;
  const [key, tagValue] = Object.entries(tags)[0]!;
  return { key, value: tagValue };
};

/** A limit's tag as people write it: `tenant=acme`, `tenant=*`. */
export const tagText = (tag: LimitTag): string => `${tag.key}=${tag.value}`;

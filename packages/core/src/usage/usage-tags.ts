import { ValidationError } from "../errors.js";
import { checkStorableName } from "../storable-text.js";
import type { UsageTags } from "../store/usage-record.js";

// The tags type is part of the store contract (store/usage-record.ts); the rules for tags live here.
export type { UsageTags };

/** Most tags one record carries: enough for labels, few enough that a stored row stays small. */
export const MAX_TAGS = 16;

/** Most characters in a tag value. */
export const TAG_VALUE_MAX_LENGTH = 256;

/** What a tag key looks like: letters, digits, `_`, `.` and `-`, 1 to 64 of them (safe in JSON paths, CLI flags and metric labels). */
export const TAG_KEY_PATTERN = /^[a-z0-9_.-]{1,64}$/i;

/** Checks one tag key; throws `ValidationError` naming `field`. */
export function checkTagKey(key: unknown, field = "tag"): string {
  if (typeof key !== "string" || !TAG_KEY_PATTERN.test(key)) {
    throw new ValidationError(field, `key must be 1-64 letters, digits, '_', '.' or '-' (got ${JSON.stringify(key)})`);
  }
  return key;
}

/**
 * Checks a tags object and returns a plain copy with its keys sorted (the stored form), or
 * undefined when it is absent or empty. Errors name `tags.<key>`.
 */
export function checkTags(value: unknown, field = "tags"): UsageTags | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new ValidationError(field, "must be an object of string values");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_TAGS) throw new ValidationError(field, `must hold at most ${MAX_TAGS} tags (got ${entries.length})`);
  if (entries.length === 0) return undefined;
  const checked: Record<string, string> = {};
  for (const [key, tagValue] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const name = `${field}.${key}`;
    checkTagKey(key, name);
    if (typeof tagValue !== "string") throw new ValidationError(name, `must be a string (got ${tagValue === null ? "null" : typeof tagValue})`);
    checkStorableName(tagValue, name, TAG_VALUE_MAX_LENGTH);
    checked[key] = tagValue;
  }
  return checked;
}

/**
 * Tags written as `key=value,key=value` (how an environment variable such as
 * LLM_ACCOUNTING_TAGS gives a process its default tags; values cannot hold a comma), checked as
 * `checkTags` checks them. Blank or absent text gives none; errors name `field`.
 */
export function parseTagList(text: string | null | undefined, field = "tags"): UsageTags | undefined {
  if (text === null || text === undefined || text.trim() === "") return undefined;
  const tags: Record<string, string> = {};
  for (const item of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ValidationError(field, `must be key=value pairs separated by commas (got ${JSON.stringify(item)})`);
    const key = item.slice(0, eq).trim();
    if (key in tags) throw new ValidationError(field, `names ${JSON.stringify(key)} twice`);
    tags[key] = item.slice(eq + 1).trim();
  }
  return checkTags(tags, field);
}

/** Layers tag sets, later ones winning key by key; undefined when none has any. */
export function mergeTags(...layers: readonly (UsageTags | null | undefined)[]): UsageTags | undefined {
  let merged: Record<string, string> | undefined;
  for (const layer of layers) {
    if (layer === null || layer === undefined || typeof layer !== "object") continue;
    merged = { ...merged, ...layer };
  }
  return merged;
}

/** The stored JSON form of a record's tags (keys sorted), or null for none. */
export function encodeTags(tags: UsageTags | null | undefined): string | null {
  if (!tags) return null;
  const keys = Object.keys(tags).sort();
  return keys.length === 0 ? null : JSON.stringify(Object.fromEntries(keys.map((k) => [k, tags[k]])));
}

/** Reads stored tags back; absent, empty or unreadable JSON gives undefined (a record without tags). */
export function decodeTags(text: unknown): UsageTags | undefined {
  if (typeof text !== "string" || text === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string");
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}

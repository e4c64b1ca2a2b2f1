// Imports nothing: the SQLite writer thread loads it, and must not load @llm-accounting/core.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A function compiled from `body`, source that reads the given record fields by name
 * (`row.promptTokens`), for the paths that go over every row of a batch or a page: a loop over
 * field names reads each row through V8's megamorphic property lookup, many times slower than a
 * named read. `names`, the names `body` was written with (fields and kinds of core's column table),
 * must be plain identifiers, so the text can hold nothing but those and what the caller put around them.
 * (This package runs on Node only; core, which may run where code generation is refused, keeps
 * plain loops.)
 */
export function fieldCode<F>(names: readonly string[], params: readonly string[], body: string): F {
  const bad = names.find((name) => !IDENTIFIER.test(name));
  if (bad !== undefined) throw new Error(`a usage column's name is not an identifier: ${JSON.stringify(bad)}`);
  return new Function(...params, body) as F;
}

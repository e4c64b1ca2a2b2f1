/**
 * Edit distance between two words, counting an insertion, deletion, substitution or swap of two
 * neighbouring letters as one edit (so `stast` is one edit from `stats`).
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0]![j] = j;
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `typed`, if it is close enough to be what the user meant: at most a
 * third of the word's letters wrong (one to three; none below three letters). Ties go to the earlier candidate.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | undefined {
  // A short word is close to every other short word: below three letters only case may differ,
  // so `--x` does not suggest `--n`.
  const allowed = typed.length < 3 ? 0 : Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(typed.toLowerCase(), candidate.toLowerCase());
    if (distance <= allowed && distance < bestDistance && candidate !== typed) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

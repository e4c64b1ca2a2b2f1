/** Percentile of an ascending array of numbers. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `fn` `times` times and returns the median wall time in ms. */
export async function medianMs(fn, times = 7) {
  const samples = [];
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return round(percentile(samples, 50));
}

/** Rounds to 2 decimals for readable JSON. */
export const round = (x) => Math.round(x * 100) / 100;

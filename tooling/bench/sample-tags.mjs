/**
 * Tags for call i of the track and buffered benches: none by default; BENCH_TAGS=1 gives every
 * call two (team of 8 values, env of 2), to measure what tags cost a write.
 */
export function sampleTags(i) {
  return process.env.BENCH_TAGS === "1" ? { tags: { team: `team${i % 8}`, env: i % 2 ? "prod" : "dev" } } : {};
}

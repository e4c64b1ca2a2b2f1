import { Accounting } from "@llm-accounting/core";

/**
 * `rows` calls without a cost (priced later) over 30 days, then one stored price for their model:
 * times `reprice` as a dry run and with `apply` (every row changes), as `reprice --apply` does.
 */
export async function benchReprice(openStore, rows) {
  const accounting = new Accounting({ store: openStore(), onUnpriced: () => undefined });
  const end = new Date();
  const start = new Date(end.getTime() - 30 * 86_400_000);
  const step = (end.getTime() - start.getTime()) / rows;
  for (let offset = 0; offset < rows; offset += 10_000) {
    const batch = [];
    for (let i = offset; i < Math.min(rows, offset + 10_000); i++) {
      batch.push({ model: "house-llm", promptTokens: 50 + (i % 500), completionTokens: 10 + (i % 200), timestamp: new Date(start.getTime() + i * step) });
    }
    await accounting.trackUsageBatch(batch);
  }
  await accounting.setModelPrice({ model: "house-llm", inputPerMTok: 0.5, outputPerMTok: 1.5 });
  let began = performance.now();
  const dry = await accounting.reprice(start, end);
  const dryMs = performance.now() - began;
  began = performance.now();
  const applied = await accounting.reprice(start, end, { apply: true });
  const applyMs = performance.now() - began;
  await accounting.close();
  if (dry.changes.length !== rows || applied.changes.length !== rows) throw new Error(`reprice changed ${dry.changes.length}/${applied.changes.length} of ${rows} rows`);
  return { rows, dry_run_ms: Math.round(dryMs), apply_ms: Math.round(applyMs) };
}

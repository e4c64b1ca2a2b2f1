import type { Accounting } from "@llm-accounting/core";
import type { AgentImportSummary, AgentName } from "@llm-accounting/agent-logs";
import { visibleText } from "@llm-accounting/core";
import { toJson } from "../format/json.js";
import { println, type CliIo } from "../io.js";
import { UsageError } from "../errors.js";

// Loaded only by this command: other commands should not pay for it.
const agentLogs = () => import("@llm-accounting/agent-logs");

const AGENT_LABEL: Record<AgentName, string> = { "claude-code": "Claude Code", codex: "Codex" };

/** One line for a run: what was read and what was recorded. */
export function agentSummaryLine(agent: AgentName, s: AgentImportSummary): string {
  const files = s.filesRead === 0 ? `${s.files} files unchanged` : `${s.filesRead} of ${s.files} files read (${(s.bytesRead / 1e6).toFixed(1)} MB)`;
  const corrupt = s.corruptLines > 0 ? `, ${s.corruptLines} corrupt lines skipped` : "";
  const unpriced = s.unpricedModels.length > 0 ? `\nNo price for ${s.unpricedModels.map((m) => `'${visibleText(m)}'`).join(", ")}: those calls have cost 0 (add a price with "prices set", then "reprice")` : "";
  return `Imported from ${AGENT_LABEL[agent]} logs: ${s.inserted} new calls, ${s.updated} updated; ${files}${corrupt}${unpriced}`;
}

/**
 * `import --from-claude-code|--from-codex [DIR]`: one run, or with `watch` a run now and after
 * each burst of changes until SIGINT/SIGTERM. Warnings (corrupt lines) go to stderr.
 */
export async function handleAgentImport(
  accounting: Accounting,
  io: CliIo,
  agent: AgentName,
  dir: string | undefined,
  options: { watch: boolean; format: "text" | "json"; beforePricing?: () => Promise<void> },
): Promise<AgentImportSummary | undefined> {
  const { importAgentLogs, watchAgentLogs } = await agentLogs();
  const onWarning = (message: string) => io.stderr.write(`Warning: ${visibleText(message)}\n`);
  const report = (summary: AgentImportSummary) => println(io, options.format === "json" ? toJson({ source: agent, ...summary }) : agentSummaryLine(agent, summary));
  if (!options.watch) {
    const summary = await importAgentLogs(agent, accounting, { dir, env: io.env, onWarning, beforePricing: options.beforePricing });
    report(summary);
    return summary;
  }
  if (!io.untilInterrupted) throw new UsageError("--watch needs a terminal process that can be interrupted");
  const signal = io.untilInterrupted();
  let first = true;
  await watchAgentLogs(agent, accounting, {
    dir,
    beforePricing: options.beforePricing,
    env: io.env,
    signal,
    onWarning,
    onImport: (summary) => {
      // The first run always reports; after it, a run that found nothing new stays quiet.
      if (first || summary.inserted + summary.updated + summary.corruptLines > 0) report(summary);
      first = false;
    },
    onError: (error) => {
      io.stderr.write(`Error: ${visibleText(error instanceof Error ? error.message : String(error))} (still watching)\n`);
    },
  });
  if (options.format === "text") println(io, `Stopped watching ${AGENT_LABEL[agent]} logs`);
  return undefined;
}

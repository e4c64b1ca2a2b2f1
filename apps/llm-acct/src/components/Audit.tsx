import { Box, Text, measureElement, type DOMElement } from "ink";
import { useEffect, useRef, useState } from "react";
import { visibleText, type AuditEntry } from "@llm-accounting/core";
import { fit } from "./format.js";
import { dateTime, zoneLabel, type TimeZone } from "../data/zone.js";
import { scrollLabel, useScroll } from "./scroll.js";

const oneLine = (text: string | null) => (text ?? "").replace(/\s+/g, " ");

/** Audit entries, newest first, with a selection; Enter shows the selected entry in full. */
export function Audit({ entries, selected, open, logType, width, height, active = true, timeZone = "UTC" }: { entries: readonly AuditEntry[]; selected: number; open: boolean; logType: string | undefined; width: number; height: number; active?: boolean; timeZone?: TimeZone }) {
  const entry = entries[selected];
  if (open && entry) return <AuditDetail entry={entry} height={height} active={active} />;
  const rows = Math.max(1, height - 2);
  const first = Math.max(0, Math.min(selected - Math.floor(rows / 2), entries.length - rows));
  return (
    <Box flexDirection="column">
      <Text bold>{` ${fit(`Time (${zoneLabel(timeZone)})`, 20)}${fit("Type", 9)} ${fit("App / User", 18)}${fit(`Text${logType ? ` (type: ${logType})` : ""}`, Math.max(10, width - 50))}`}</Text>
      {entries.length === 0 ? <Text>No audit entries</Text> : null}
      {entries.slice(first, first + rows).map((e, i) => (
        <Text key={e.id} inverse={first + i === selected}>
          {`${first + i === selected ? ">" : " "}${fit(dateTime(e.timestamp, timeZone), 20)}${fit(e.logType, 9)} ${fit(`${e.appName}/${e.userName}`, 18)}${fit(oneLine(e.promptText ?? e.responseText), Math.max(10, width - 50))}`}
        </Text>
      ))}
    </Box>
  );
}

/** One entry in full, in a viewport of `height` rows scrolled with ↑↓ PgUp/PgDn Home/End (a long entry would otherwise overflow the screen). */
function AuditDetail({ entry, height, active }: { entry: AuditEntry; height: number; active: boolean }) {
  // The last row says where the viewport is and how to leave.
  const rows = Math.max(1, height - 1);
  // Ink wraps the text, so its height is known only after layout: measured, then scrolled over.
  const content = useRef<DOMElement>(null);
  const [lines, setLines] = useState(0);
  useEffect(() => {
    if (content.current) {
      const measured = measureElement(content.current).height;
      if (measured !== lines) setLines(measured);
    }
  });
  const top = useScroll(lines, rows, active);
  return (
    <Box flexDirection="column">
      <Box height={rows} flexDirection="column" overflow="hidden">
        <Box ref={content} flexDirection="column" flexShrink={0} marginTop={-top}>
          <Text bold>{visibleText(`${entry.logType} #${entry.id}  ${entry.timestamp.toISOString()}  ${entry.appName} / ${entry.userName} / ${entry.model}`)}</Text>
          <Text>{visibleText(`project: ${entry.project ?? "-"}   session: ${entry.session ?? "-"}   completion id: ${entry.remoteCompletionId ?? "-"}`)}</Text>
          {entry.promptText !== null ? <Text>{`Prompt:\n${visibleText(entry.promptText, { keepNewlines: true })}`}</Text> : null}
          {entry.responseText !== null ? <Text>{`Response:\n${visibleText(entry.responseText, { keepNewlines: true })}`}</Text> : null}
        </Box>
      </Box>
      <Text dimColor>{`${lines > rows ? `${scrollLabel("lines", top, rows, lines)}  ↑↓ PgUp/PgDn Home/End  ` : ""}Esc: back to the list`}</Text>
    </Box>
  );
}

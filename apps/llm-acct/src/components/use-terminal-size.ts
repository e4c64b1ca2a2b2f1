import { useStdout } from "ink";
import { useEffect, useState } from "react";

/** The terminal's columns and rows, re-read on every resize. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  // The size lives in state, updated on "resize": Ink repaints its last output on a resize without
  // re-rendering components, so a size read only while rendering kept the old layout.
  const [size, setSize] = useState(() => ({ columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 }));
  useEffect(() => {
    const onResize = () => setSize((old) => (old.columns === (stdout.columns ?? 80) && old.rows === (stdout.rows ?? 24) ? old : { columns: stdout.columns ?? 80, rows: stdout.rows ?? 24 }));
    onResize();
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout]);
  return size;
}

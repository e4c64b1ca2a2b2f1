/** Renders `label [#####-----] 50% 1,000/2,000`, 30 cells wide. */
export function progressLine(label: string, done: number, total: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const cells = Math.round(ratio * 30);
  const count = (n: number) => n.toLocaleString("en-US");
  return `${label.padEnd(20)} [${"#".repeat(cells)}${"-".repeat(30 - cells)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${count(done)}/${count(total)}`;
}

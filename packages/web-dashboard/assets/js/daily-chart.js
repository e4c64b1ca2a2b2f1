import { usd } from "./format.js";

// uPlot draws a bar per day; the data stays on the chart (`chart.data`) for tests and tooltips.
let chart;
const HEIGHT = 220;

function showHovered(box, index, [x, y]) {
  const line = box.parentElement.querySelector(".hover");
  if (line) line.textContent = index == null ? "" : `${new Date(x[index] * 1000).toLocaleDateString("en-GB", { weekday: "short", day: "2-digit", month: "short" })}: ${usd(y[index])}`;
}

const width = (box) => Math.max(200, Math.floor(box.clientWidth));

/** Draws (or redraws) the daily cost bars from `/api/v1/cost/daily`'s `days`. */
export function renderDaily(box, days) {
  // Each day at local noon: bars centre on their day whatever the zone.
  const x = days.map((d) => new Date(`${d.day}T12:00:00`).getTime() / 1000);
  const y = days.map((d) => d.cost);
  const data = [x, y];
  if (chart) {
    chart.setData(data);
    return chart;
  }
  const bars = globalThis.uPlot.paths.bars({ size: [0.7, 40] });
  chart = new globalThis.uPlot(
    {
      width: width(box),
      height: HEIGHT,
      legend: { show: false },
      cursor: { points: { show: false } },
      // One line under the chart instead of uPlot's legend, which shows dashes until hovered.
      hooks: { setCursor: [(u) => showHovered(box, u.cursor.idx, u.data)] },
      // Half a day of room at each end, or the first and last bars are cut in half.
      scales: { x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ stroke: "#57606a", grid: { show: false } }, { stroke: "#57606a", size: 64, values: (_u, ticks) => ticks.map(usd), grid: { stroke: "#eaeef2" } }],
      series: [{ label: "Day" }, { label: "Cost", paths: bars, points: { show: false }, fill: "#1f6feb", stroke: "#1f6feb" }],
    },
    data,
    box,
  );
  // On the window, not a ResizeObserver on the box: resizing the chart inside its own observer can loop.
  addEventListener("resize", () => requestAnimationFrame(() => chart.setSize({ width: width(box), height: HEIGHT })));
  return chart;
}

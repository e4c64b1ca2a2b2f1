import { usd } from "./format.js";

// uPlot draws a bar per day; the data stays on the chart (`chart.data`) for tests and tooltips.
let chart;
const HEIGHT = 220;

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
      legend: { show: true },
      cursor: { points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ stroke: "#57606a", grid: { show: false } }, { stroke: "#57606a", size: 64, values: (_u, ticks) => ticks.map(usd), grid: { stroke: "#eaeef2" } }],
      series: [
        { label: "Day", value: (_u, v) => (v == null ? "–" : new Date(v * 1000).toLocaleDateString("en-GB", { day: "2-digit", month: "short" })) },
        { label: "Cost", paths: bars, points: { show: false }, fill: "#1f6feb", stroke: "#1f6feb", value: (_u, v) => (v == null ? "–" : usd(v)) },
      ],
    },
    data,
    box,
  );
  // On the window, not a ResizeObserver on the box: resizing the chart inside its own observer can loop.
  addEventListener("resize", () => requestAnimationFrame(() => chart.setSize({ width: width(box), height: HEIGHT })));
  return chart;
}

import { apiGet, AuthError } from "./api.js";
import { renderBreakdown, tagKeys } from "./breakdowns.js";
import { renderDaily } from "./daily-chart.js";
import { count, el, usd } from "./format.js";
import { renderLimits } from "./limits.js";
import { renderRecent, resetRecent } from "./recent.js";
import { dayOffset, DIMENSIONS, filterParams, readState, reportParams, writeState } from "./state.js";
import { adoptTokenFromFragment, currentToken, forgetToken, saveToken } from "./token.js";

// Recent calls are polled often (cheap: one indexed read); the reports less often.
const RECENT_EVERY_MS = 3000;
const REPORTS_EVERY_MS = 30000;

const $ = (selector) => document.querySelector(selector);
const state = readState();
/** What tests and the curious can read: the state and the chart (its `data` is what is drawn). */
const dashboard = (globalThis.llmDashboard = { state, daily: undefined, loads: 0 });

function showStatus(text, isError = false) {
  $("#status").textContent = text;
  $("#status").classList.toggle("error", isError);
}

function filterChip(text, title, remove) {
  const chip = el("button", "chip", `${text} ×`);
  chip.type = "button";
  chip.title = title;
  chip.addEventListener("click", () => {
    remove();
    changed();
  });
  return chip;
}

function renderFilters() {
  const columns = Object.entries(state.filters).map(([dimension, value]) => {
    const chip = filterChip(`${dimension}: ${value}`, `Remove the ${dimension} filter`, () => delete state.filters[dimension]);
    chip.dataset.dimension = dimension;
    return chip;
  });
  const tags = Object.entries(state.tags).map(([key, value]) => {
    const chip = filterChip(`${key}=${value}`, `Remove the tag filter ${key}=${value}`, () => delete state.tags[key]);
    chip.dataset.tag = key;
    return chip;
  });
  $("#filters").replaceChildren(...columns, ...tags);
}

function renderTotals(totals) {
  $("#total-cost").textContent = usd(totals.cost);
  $("#total-requests").textContent = count(totals.requests);
  $("#total-tokens").textContent = count(totals.totalTokens);
  $("#total-cached").textContent = count(totals.cachedTokens);
}

function renderTagKeys(keys) {
  const select = $("#tag-key");
  select.replaceChildren(...keys.map((key) => Object.assign(el("option", "", key), { value: key, selected: key === state.tagKey })));
  if (keys.length === 0) select.append(Object.assign(el("option", "", "(no tags)"), { value: "" }));
}

// Bumped by every change of range or filters: answers to requests made before it are dropped, so
// a slow answer for the old view never overwrites the new one.
let generation = 0;

async function loadRecent() {
  const asked = generation;
  const recent = await apiGet("recent", { limit: 20, ...filterParams(state) });
  if (asked === generation) renderRecent($("#recent"), recent.calls);
}

async function loadReports() {
  const asked = generation;
  const params = reportParams(state);
  const [summary, daily, limits, sample, ...groups] = await Promise.all([
    apiGet("summary", params),
    apiGet("cost/daily", params),
    apiGet("limits"),
    // Tag keys come from the calls themselves: the store keeps no list of keys.
    apiGet("recent", { limit: 200, ...params }),
    ...DIMENSIONS.map(({ by }) => apiGet(`breakdown/${by}`, params)),
  ]);
  const keys = tagKeys(sample.calls);
  const tagKey = state.tagKey && keys.includes(state.tagKey) ? state.tagKey : keys[0];
  const tagGroups = tagKey ? (await apiGet("breakdown/tag", { key: tagKey, ...params })).groups : [];
  if (asked !== generation) return false;
  renderTotals(summary.totals);
  dashboard.daily = renderDaily($("#daily-chart"), daily.days);
  DIMENSIONS.forEach(({ by, param }, i) => {
    const pick = state.filters[param] ? null : (key) => ((state.filters[param] = key), changed());
    renderBreakdown($(`.panel[data-by="${by}"]`), groups[i].groups, { active: state.filters[param], onPick: pick });
  });
  renderLimits($("#limits"), limits.limits);
  state.tagKey = tagKey;
  renderTagKeys(keys);
  // Like a column: once a value of this key filters the view, the panel shows only it, so no pick.
  // The untagged row gets no button (renderBreakdown): the API has no filter for a missing tag.
  const tagPick = tagKey && !state.tags[tagKey] ? (value) => ((state.tags[tagKey] = value), changed()) : null;
  renderBreakdown($('.panel[data-by="tag"]'), tagGroups, { active: state.tags[tagKey], onPick: tagPick });
  return true;
}

async function guarded(work) {
  try {
    await work();
    $("#auth").hidden = true;
    $("#main").hidden = false;
    showStatus(`Updated ${new Date().toLocaleTimeString("en-GB")}`);
  } catch (error) {
    if (error instanceof AuthError) {
      // A token the server no longer takes (restarted with another) is dropped, not retried.
      const held = currentToken() !== null;
      forgetToken();
      return askForToken(held ? "The server refused the saved token." : "");
    }
    showStatus(`Could not load: ${error.message}`, true);
  }
}

async function refreshAll() {
  await guarded(async () => {
    const [current] = await Promise.all([loadReports(), loadRecent()]);
    if (current) dashboard.loads += 1;
  });
}

function changed() {
  generation += 1;
  writeState(state);
  renderFilters();
  $("#since").value = state.since;
  $("#until").value = state.until;
  resetRecent();
  void refreshAll();
}

function askForToken(message = "") {
  $("#main").hidden = true;
  $("#auth").hidden = false;
  $("#auth-error").textContent = message;
  $("#token").focus();
}

function wire() {
  $("#since").value = state.since;
  $("#until").value = state.until;
  $("#range").addEventListener("change", () => {
    if (!$("#since").value || !$("#until").value) return;
    [state.since, state.until] = [$("#since").value, $("#until").value].sort();
    changed();
  });
  for (const button of document.querySelectorAll(".presets button")) {
    button.addEventListener("click", () => {
      state.since = dayOffset(Number(button.dataset.days) - 1);
      state.until = dayOffset(0);
      changed();
    });
  }
  $("#tag-key").addEventListener("change", (event) => {
    state.tagKey = event.target.value || undefined;
    changed();
  });
  $("#token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    saveToken($("#token").value.trim());
    $("#token").value = "";
    try {
      await apiGet("limits");
    } catch (error) {
      forgetToken();
      return askForToken(error instanceof AuthError ? "The server refused this token." : error.message);
    }
    await refreshAll();
  });
}

adoptTokenFromFragment();
wire();
changed();
setInterval(() => {
  if (!document.hidden && $("#auth").hidden) void guarded(loadRecent);
}, RECENT_EVERY_MS);
setInterval(() => {
  if (!document.hidden && $("#auth").hidden) void refreshAll();
}, REPORTS_EVERY_MS);

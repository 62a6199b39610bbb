// trackpipe dashboard: reads /api/v1 and draws with Apache ECharts (served from trackpipe's own jar).
// Filters live in the page's URL, so a view can be shared; while the range includes the current hour the numbers
// are re-read every few seconds.

const FILTERS = ["from", "to", "campaign", "publisher", "company", "group"];
const DIMENSIONS = ["campaign", "publisher", "company", "group"];
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const TOP_COLUMNS = [
  ["clicks", "Clicks"], ["conversions", "Conv."], ["spend", "Spend"], ["cpc", "CPC"], ["conversion_rate", "Conv. rate"],
];
const LOCALE = "en-US";

const state = { meta: null, topSort: {}, timer: null, loads: 0, charts: {}, latest: 0 };
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
let money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "USD" });

const format = {
  count: (v) => (v == null ? "–" : integer.format(v)),
  ratio: (v) => (v == null ? "–" : percent.format(v)),
  money: (v) => (v == null ? "–" : money.format(v)),
};
const KPI_FORMAT = {
  clicks: format.count, conversions: format.count, qualified: format.count, unqualified: format.count,
  impressions: format.count, qualified_ratio: format.ratio, spend: format.money, ctr: format.ratio, cpc: format.money,
  cpa: format.money, conversion_rate: format.ratio,
};

function authHeaders() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem("trackpipe-token", fromHash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  const token = sessionStorage.getItem("trackpipe-token");
  return token ? { Authorization: "Bearer " + token } : {};
}

async function api(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const response = await fetch("api/v1/" + path + (query.size ? "?" + query : ""), { headers: authHeaders() });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || response.status + " " + response.statusText);
  return body;
}

function filters() {
  const form = document.getElementById("filters");
  const values = {};
  for (const name of FILTERS) values[name] = form.elements[name].value;
  return values;
}

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("filters");
  const today = state.meta.today;
  const weekAgo = new Date(Date.parse(today + "T00:00:00Z") - 6 * 86400000).toISOString().slice(0, 10);
  form.elements.from.value = params.get("from") || weekAgo;
  form.elements.to.value = params.get("to") || today;
  for (const name of DIMENSIONS) form.elements[name].value = params.get(name) || "";
}

function filtersToUrl() {
  const params = new URLSearchParams(Object.entries(filters()).filter(([, v]) => v !== ""));
  history.replaceState(null, "", location.pathname + "?" + params);
}

async function loadChoices() {
  const form = document.getElementById("filters");
  await Promise.all(DIMENSIONS.map(async (dimension) => {
    const { rows } = await api("dimensions/" + dimension, { limit: 1000 });
    const select = form.elements[dimension];
    for (const row of rows) {
      const option = document.createElement("option");
      option.value = row.id;
      option.textContent = row.name ? `${row.name} (${row.id})` : `${capitalized(dimension)} ${row.id}`;
      select.append(option);
    }
  }));
}

function showKpis(totals) {
  for (const tile of document.querySelectorAll(".tile")) {
    const kpi = tile.dataset.kpi;
    tile.querySelector(".value").textContent = KPI_FORMAT[kpi](totals[kpi]);
  }
}

function hoursBetween(from, to) {
  // Every local hour from "from" 00:00 to the end of "to", but not beyond the current hour of today.
  const labels = [];
  const end = to === state.meta.today ? state.meta.current_hour : 23;
  for (let day = Date.parse(from + "T00:00:00Z"); day <= Date.parse(to + "T00:00:00Z"); day += 86400000) {
    const date = new Date(day).toISOString().slice(0, 10);
    const last = date === to ? end : 23;
    for (let hour = 0; hour <= last; hour++) labels.push(`${date} ${String(hour).padStart(2, "0")}:00`);
  }
  return labels;
}

function showSeries(facts) {
  const labels = hoursBetween(facts.from, facts.to);
  const byLabel = new Map(facts.rows.map((r) => [`${r.date} ${String(r.hour).padStart(2, "0")}:00`, r]));
  const pick = (key) => labels.map((l) => (byLabel.has(l) ? Number(byLabel.get(l)[key]) : 0));
  chart("series").setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v) => integer.format(v) },
    legend: { data: ["Clicks", "Conversions", "Spend"], top: 0 },
    grid: { left: 56, right: 64, top: 32, bottom: 48 },
    xAxis: { type: "category", data: labels, axisLabel: { formatter: (l) => l.slice(5) } },
    yAxis: [
      { type: "value", name: "events", axisLabel: { formatter: (v) => integer.format(v) } },
      { type: "value", name: "spend", axisLabel: { formatter: (v) => money.format(v) } },
    ],
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
    series: [
      { name: "Clicks", type: "bar", data: pick("clicks"), itemStyle: { color: "#93c5fd" } },
      { name: "Conversions", type: "line", data: pick("conversions"), symbol: "none", itemStyle: { color: "#16a34a" } },
      { name: "Spend", type: "line", yAxisIndex: 1, data: pick("spend"), symbol: "none", itemStyle: { color: "#f59e0b" },
        tooltip: { valueFormatter: (v) => money.format(v) } },
    ],
  }, { replaceMerge: ["series"] });
}

function showHeatmap(heat) {
  const cells = heat.cells.map((c) => [c.hour, c.weekday - 1, c.clicks]);
  const max = Math.max(1, ...cells.map((c) => c[2]));
  chart("heatmap").setOption({
    animation: false,
    tooltip: { formatter: (p) => `${WEEKDAYS[p.value[1]]} ${p.value[0]}:00 — ${integer.format(p.value[2])} clicks` },
    grid: { left: 48, right: 16, top: 8, bottom: 64 },
    xAxis: { type: "category", data: [...Array(24).keys()].map((h) => String(h).padStart(2, "0")), splitArea: { show: true } },
    yAxis: { type: "category", data: WEEKDAYS, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: "horizontal", right: 16, bottom: 0, itemHeight: 120, itemWidth: 10,
      formatter: (v) => integer.format(v),
      inRange: { color: ["#eff6ff", "#1d4ed8"] } },
    series: [{ type: "heatmap", data: cells }],
  }, { replaceMerge: ["series"] });
}

function showTop(table, top) {
  const dimension = table.dataset.dimension;
  const sort = state.topSort[dimension] || { by: "clicks", order: "desc" };
  const head = `<tr><th data-sort="name">${capitalized(dimension)}</th>` +
    TOP_COLUMNS.map(([key, label]) => `<th data-sort="${key}" class="${sort.by === key ? "sorted " + sort.order : ""}">${label}</th>`).join("") +
    "</tr>";
  const body = top.rows.map((r) => {
    const name = r.name ? r.name : `${capitalized(dimension)} ${r.id}`;
    return `<tr><td title="${escapeHtml(name)} (${r.id})">${escapeHtml(name)}</td>` +
      TOP_COLUMNS.map(([key]) => `<td>${KPI_FORMAT[key](r[key])}</td>`).join("") + "</tr>";
  }).join("");
  table.innerHTML = `<thead>${head}</thead><tbody>${body || '<tr><td colspan="6">no facts in this range</td></tr>'}</tbody>`;
}

function showPipeline(pipeline) {
  const set = (key, text) => { document.querySelector(`[data-pipe="${key}"]`).textContent = text; };
  const job = pipeline.jobs[0];
  if (!job) {
    for (const key of ["input", "processed", "lag", "last_batch", "dead_letters", "freshness"]) set(key, "–");
    set("last_batch", "no batch yet");
    return;
  }
  set("input", integer.format(job.input_per_second));
  set("processed", integer.format(job.processed_per_second));
  set("lag", job.lag_records == null ? "–" : integer.format(job.lag_records));
  set("last_batch", `#${integer.format(job.last_batch_id)}, ${ago(job.seconds_since_last_batch)} (${integer.format(job.last_batch_millis)} ms)`);
  set("dead_letters", integer.format(job.dead_letters));
  const ms = (v) => (v == null ? "–" : (v / 1000).toFixed(1) + " s");
  set("freshness", `${ms(job.freshness_p50_millis)} / ${ms(job.freshness_p99_millis)}`);
}

function ago(seconds) {
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function capitalized(word) {
  return word[0].toUpperCase() + word.slice(1);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function chart(id) {
  if (!state.charts[id]) state.charts[id] = echarts.init(document.getElementById(id));
  return state.charts[id];
}

async function refresh() {
  // Only the latest refresh draws: an older one (a live tick started before a filter changed) is dropped.
  const ticket = ++state.latest;
  const f = filters();
  const error = document.getElementById("error");
  try {
    const tables = [...document.querySelectorAll("table.top")];
    const [meta, kpis, facts, heat, pipeline, ...tops] = await Promise.all([
      api("meta"), api("kpis", f), api("facts", { ...f, bucket: "hour" }), api("heatmap", f), api("pipeline"),
      ...tables.map((t) => {
        const sort = state.topSort[t.dataset.dimension] || { by: "clicks", order: "desc" };
        return api("top/" + t.dataset.dimension, { ...f, sort: sort.by === "name" ? "clicks" : sort.by, order: sort.order, limit: 10 });
      }),
    ]);
    if (ticket !== state.latest) return;
    state.meta = meta;
    showKpis(kpis.totals);
    showSeries(facts);
    showHeatmap(heat);
    showPipeline(pipeline);
    tables.forEach((t, i) => showTop(t, tops[i]));
    error.hidden = true;
    document.getElementById("footnote").textContent =
      `Dates and hours in ${meta.time_zone}. Ratios are ratios of sums; "–" where the denominator is 0.`;
  } catch (e) {
    if (ticket !== state.latest) return;
    error.textContent = "Cannot load the numbers: " + e.message;
    error.hidden = false;
  }
  state.loads++;
  document.body.dataset.loads = state.loads;
  scheduleLive();
}

function scheduleLive() {
  clearTimeout(state.timer);
  const live = filters().to >= state.meta.today;
  const badge = document.getElementById("live");
  badge.classList.toggle("on", live);
  badge.textContent = live ? `live · every ${state.meta.refresh_seconds} s` : "paused (range ends before today)";
  state.timer = setTimeout(refresh, (live ? state.meta.refresh_seconds : 60) * 1000);
}

async function start() {
  state.meta = await api("meta");
  money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: state.meta.currency });
  await loadChoices();
  filtersFromUrl();
  document.getElementById("filters").addEventListener("change", () => {
    filtersToUrl();
    refresh();
  });
  document.querySelector(".tops").addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (!th || th.dataset.sort === "name") return;
    const dimension = th.closest("table").dataset.dimension;
    const current = state.topSort[dimension] || { by: "clicks", order: "desc" };
    state.topSort[dimension] = { by: th.dataset.sort, order: current.by === th.dataset.sort && current.order === "desc" ? "asc" : "desc" };
    refresh();
  });
  window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
  await refresh();
}

// For tests and the curious: what the charts hold.
window.trackpipeDashboard = {
  seriesTotal: (name) => (chart("series").getOption().series.find((s) => s.name === name)?.data || []).reduce((a, b) => a + b, 0),
  heatmapCells: () => (chart("heatmap").getOption().series[0]?.data || []).length,
};

start().catch((e) => {
  const error = document.getElementById("error");
  error.textContent = "Cannot start the dashboard: " + e.message;
  error.hidden = false;
});

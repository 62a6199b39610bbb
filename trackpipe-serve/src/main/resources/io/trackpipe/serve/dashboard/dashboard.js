// trackpipe dashboard: draws a domain's dashboard as GET api/v1/domains describes it (tiles, time chart, heatmap,
// top-N tables, filters) from the domain's routes, with Apache ECharts (served from trackpipe's own jar). The domain
// and the filters live in the page's URL, so a view can be shared; while the range includes the current hour the
// numbers are re-read every few seconds.

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LOCALE = "en-US";
const COLORS = ["#93c5fd", "#16a34a", "#f59e0b", "#a855f7", "#ef4444"];

const state = { meta: null, domain: null, domains: [], topSort: {}, timer: null, loads: 0, charts: {}, latest: 0 };
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
let money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "USD" });

const FORMATS = {
  count: (v) => (v == null ? "–" : integer.format(v)),
  number: (v) => (v == null ? "–" : decimal.format(v)),
  percent: (v) => (v == null ? "–" : percent.format(v)),
  money: (v) => (v == null ? "–" : money.format(v)),
};

function measure(name) {
  return state.domain.measures.find((m) => m.name === name);
}

function formatted(name, value) {
  return FORMATS[measure(name).format](value);
}

function dimension(name) {
  return state.domain.dimensions.find((d) => d.name === name);
}

function topSort(name) {
  return state.topSort[name] || { by: state.domain.top.measures[0], order: "desc" };
}

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

function domainApi(path, params) {
  return api("domains/" + encodeURIComponent(state.domain.name) + "/" + path, params);
}

function filters() {
  const form = document.getElementById("filters");
  const values = {};
  for (const name of ["from", "to", ...state.domain.filters]) values[name] = form.elements[name].value;
  return values;
}

function filtersFromUrl() {
  const params = new URLSearchParams(location.search);
  const form = document.getElementById("filters");
  const today = state.meta.today;
  const weekAgo = new Date(Date.parse(today + "T00:00:00Z") - 6 * 86400000).toISOString().slice(0, 10);
  form.elements.from.value = params.get("from") || weekAgo;
  form.elements.to.value = params.get("to") || today;
  for (const name of state.domain.filters) form.elements[name].value = params.get(name) || "";
}

function filtersToUrl() {
  const params = new URLSearchParams(Object.entries(filters()).filter(([, v]) => v !== ""));
  if (state.domain !== state.domains[0]) params.set("domain", state.domain.name);
  history.replaceState(null, "", location.pathname + "?" + params);
}

/** The page's parts for the domain: title, filters (with their choices), tiles, heatmap and top tables. */
async function buildPage() {
  const d = state.domain;
  document.title = `trackpipe · ${d.title}`;
  document.getElementById("subtitle").textContent = d.subtitle || d.title;
  const form = document.getElementById("filters");
  form.querySelectorAll("label.filter").forEach((l) => l.remove());
  for (const name of d.filters) {
    const label = document.createElement("label");
    label.className = "filter";
    label.append(dimension(name).label + " ");
    label.append(filterInput(dimension(name)));
    form.append(label);
  }
  document.getElementById("tiles").innerHTML = d.tiles.map((name) =>
    `<div class="tile" data-kpi="${escapeHtml(name)}"><span class="label">${escapeHtml(measure(name).label)}</span>` +
    `<span class="value">–</span></div>`).join("");
  document.getElementById("heatmap-row").hidden = !d.heatmap;
  if (d.heatmap) document.getElementById("heatmap-measure").textContent = measure(d.heatmap.measure).label.toLowerCase();
  document.getElementById("tops").innerHTML = d.top.dimensions.map((name) =>
    `<div class="panel"><h2>Top ${escapeHtml(plural(dimension(name).label.toLowerCase()))}</h2>` +
    `<table class="top" data-dimension="${escapeHtml(name)}"></table></div>`).join("");
  // Id filters choose from the dimension's values (with their names); enums list their values; text is typed.
  await Promise.all(d.filters.filter((name) => dimension(name).type === "id").map(async (name) => {
    const { rows } = await domainApi("dimensions/" + name, { limit: 1000 });
    const select = form.elements[name];
    for (const row of rows) {
      select.append(new Option(row.name ? `${row.name} (${row.id})` : `${dimension(name).label} ${row.id}`, row.id));
    }
  }));
}

/** A filter's field: a select for ids and enums, a text box with suggestions for free text. */
function filterInput(dim) {
  if (dim.type === "text") {
    const input = document.createElement("input");
    input.type = "text";
    input.name = dim.name;
    input.maxLength = dim.max_length;
    input.placeholder = "All";
    input.setAttribute("list", "suggest-" + dim.name);
    const suggestions = document.createElement("datalist");
    suggestions.id = "suggest-" + dim.name;
    const wrapper = document.createDocumentFragment();
    wrapper.append(input, suggestions);
    return wrapper;
  }
  const select = document.createElement("select");
  select.name = dim.name;
  select.append(new Option("All", ""));
  for (const value of dim.values || []) select.append(new Option(value, value));
  return select;
}

/** The text filters' suggestions: the top values in the range under the other filters. */
function showSuggestions(name, top) {
  const list = document.getElementById("suggest-" + name);
  const values = top.rows.map((r) => r.id).filter((v) => v !== "" && v != null);
  if (list.dataset.values === JSON.stringify(values)) return;
  list.dataset.values = JSON.stringify(values);
  list.replaceChildren(...values.map((v) => new Option(v)));
}

function showKpis(totals) {
  for (const tile of document.querySelectorAll(".tile")) {
    const kpi = tile.dataset.kpi;
    tile.querySelector(".value").textContent = formatted(kpi, totals[kpi]);
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
  // The first measure as bars, the others as lines; money and percentages on a second axis.
  const measures = state.domain.time_chart.map(measure);
  const second = measures.find((m, i) => i > 0 && (m.format === "money" || m.format === "percent"));
  chart("series").setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v) => integer.format(v) },
    legend: { data: measures.map((m) => m.label), top: 0 },
    grid: { left: 56, right: 64, top: 32, bottom: 48 },
    xAxis: { type: "category", data: labels, axisLabel: { formatter: (l) => l.slice(5) } },
    yAxis: [
      { type: "value", name: measures[0]?.format === "money" ? "" : "events", axisLabel: { formatter: (v) => FORMATS[measures[0]?.format || "count"](v) } },
      { type: "value", name: second ? second.label.toLowerCase() : "", axisLabel: { formatter: (v) => (second ? FORMATS[second.format](v) : "") } },
    ],
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
    series: measures.map((m, i) => ({
      name: m.label, type: i === 0 ? "bar" : "line", data: pick(m.name), symbol: "none", itemStyle: { color: COLORS[i % COLORS.length] },
      yAxisIndex: i > 0 && second && m.format === second.format ? 1 : 0,
      tooltip: { valueFormatter: (v) => FORMATS[m.format](v) },
    })),
  }, { replaceMerge: ["series"] });
}

function showHeatmap(heat) {
  const m = measure(state.domain.heatmap.measure);
  const cells = heat.cells.map((c) => [c.hour, c.weekday - 1, Number(c[m.name] ?? 0)]);
  const max = Math.max(1, ...cells.map((c) => c[2]));
  chart("heatmap").setOption({
    animation: false,
    tooltip: { formatter: (p) => `${WEEKDAYS[p.value[1]]} ${p.value[0]}:00 — ${FORMATS[m.format](p.value[2])} ${escapeHtml(m.label.toLowerCase())}` },
    grid: { left: 48, right: 16, top: 8, bottom: 64 },
    xAxis: { type: "category", data: [...Array(24).keys()].map((h) => String(h).padStart(2, "0")), splitArea: { show: true } },
    yAxis: { type: "category", data: WEEKDAYS, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: "horizontal", right: 16, bottom: 0, itemHeight: 120, itemWidth: 10,
      formatter: (v) => FORMATS[m.format](v),
      inRange: { color: ["#eff6ff", "#1d4ed8"] } },
    series: [{ type: "heatmap", data: cells }],
  }, { replaceMerge: ["series"] });
}

function showTop(table, top) {
  const name = table.dataset.dimension;
  const label = dimension(name).label;
  const columns = state.domain.top.measures;
  const sort = topSort(name);
  const head = `<tr><th data-sort="name">${escapeHtml(label)}</th>` +
    columns.map((key) => `<th data-sort="${escapeHtml(key)}" class="${sort.by === key ? "sorted " + sort.order : ""}">${escapeHtml(measure(key).label)}</th>`).join("") +
    "</tr>";
  const text = dimension(name).type !== "id";
  const body = top.rows.map((r) => {
    // A text value is shown as it is; an id by its name, else as "Label 42".
    const shown = text ? (r.id === "" ? "(none)" : r.id) : r.name ? r.name : `${label} ${r.id}`;
    const title = text ? shown : `${shown} (${r.id})`;
    return `<tr><td title="${escapeHtml(title)}">${escapeHtml(shown)}</td>` +
      columns.map((key) => `<td>${formatted(key, r[key])}</td>`).join("") + "</tr>";
  }).join("");
  table.innerHTML = `<thead>${head}</thead><tbody>${body || `<tr><td colspan="${columns.length + 1}">no facts in this range</td></tr>`}</tbody>`;
}

function showPipeline(pipeline) {
  const set = (key, text) => { document.querySelector(`[data-pipe="${key}"]`).textContent = text; };
  // The stream of the domain shown (one row per domain's stream).
  const job = pipeline.jobs.find((j) => j.job === state.domain.stream);
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

function plural(word) {
  return /[^aeiou]y$/.test(word) ? word.slice(0, -1) + "ies" : word + "s";
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
    const texts = state.domain.filters.filter((name) => dimension(name).type === "text");
    const [meta, kpis, facts, heat, pipeline, ...lists] = await Promise.all([
      api("meta"), domainApi("kpis", f), domainApi("facts", { ...f, bucket: "hour" }),
      state.domain.heatmap ? domainApi("heatmap", f) : null, api("pipeline"),
      ...tables.map((t) => {
        const sort = topSort(t.dataset.dimension);
        return domainApi("top/" + t.dataset.dimension, { ...f, sort: sort.by, order: sort.order, limit: 10 });
      }),
      ...texts.map((name) => domainApi("top/" + name, { ...f, [name]: "", limit: 20 })),
    ]);
    const tops = lists.slice(0, tables.length);
    if (ticket !== state.latest) return;
    state.meta = meta;
    showKpis(kpis.totals);
    showSeries(facts);
    if (heat) showHeatmap(heat);
    showPipeline(pipeline);
    tables.forEach((t, i) => showTop(t, tops[i]));
    texts.forEach((name, i) => showSuggestions(name, lists[tables.length + i]));
    error.hidden = true;
    // Distinct counts (unique users) are exact for the range and filters: the tile is not the sum of the chart's hours.
    const distinct = state.domain.measures.filter((m) => m.distinct).map((m) => m.label);
    document.getElementById("footnote").textContent =
      `Dates and hours in ${meta.time_zone}. Ratios are ratios of sums; "–" where the denominator is 0.` +
      (distinct.length ? ` ${distinct.join(", ")}: counted once over the whole range, so a tile is not the sum of its chart's hours.` : "");
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
  const [meta, catalogue] = await Promise.all([api("meta"), api("domains")]);
  state.meta = meta;
  state.domains = catalogue.domains;
  const wanted = new URLSearchParams(location.search).get("domain");
  state.domain = state.domains.find((d) => d.name === wanted) || state.domains[0];
  money = new Intl.NumberFormat(LOCALE, { style: "currency", currency: state.meta.currency });
  const switcher = document.getElementById("domain");
  for (const d of state.domains) switcher.append(new Option(d.title || d.name, d.name, false, d === state.domain));
  document.getElementById("domain-switch").hidden = state.domains.length < 2;
  switcher.addEventListener("change", () => {
    // Another domain's page: its filters differ, so only the dates carry over.
    const params = new URLSearchParams({ domain: switcher.value, from: filters().from, to: filters().to });
    location.search = "?" + params;
  });
  await buildPage();
  filtersFromUrl();
  // Enter in a text filter applies it (as leaving the box does), without submitting the form.
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("filters").addEventListener("change", () => {
    filtersToUrl();
    refresh();
  });
  document.getElementById("tops").addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (!th || th.dataset.sort === "name") return;
    const dimension = th.closest("table").dataset.dimension;
    const current = topSort(dimension);
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

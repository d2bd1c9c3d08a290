// The regional dashboard: signs in with a reports.read token, reads the gateway's KPIs
// (GET /v1/kpis/{id}) for the region and period chosen and draws each as a chart with its
// numbers as a table. Plain ES module, no build step; Chart.js is the vendored UMD build
// (window.Chart). Every text comes from i18n.js; the DOM is built with textContent only, so
// no figure or office name is ever read as markup.

import { DEFAULT_LANGUAGE, LANGUAGES, REGIONS, locale, strings, t } from "./i18n.js";

const TOKEN_KEY = "bufetat.dashboard.token";
const LANGUAGE_KEY = "bufetat.dashboard.language";
// The demo year (make run loads 2024); a link may name any other: ?period=2025-T1.
const DEFAULT_PERIOD = "2024";
const FIRST_YEAR = 2020;
const NATIONAL = "national";
const CATEGORIES = ["state_acute", "state_care_treatment", "purchase_guarantee"];
const BREACH_KINDS = ["acute", "planned", "foster_home"];
const CASE_TYPES = ["clinical", "mediation", "supervised_contact", "court_case"];
// Bars with at least 3:1 contrast to white (and a black target mark at least 3:1 to them).
const SERIES = ["#3a72ad", "#b35c00", "#2d6a4f"];
const TARGET_COLOUR = "#1b1b1b";

const $ = (id) => document.getElementById(id);

const state = {
  language: DEFAULT_LANGUAGE,
  region: NATIONAL,
  period: DEFAULT_PERIOD,
  token: null,
  claims: {},
  answers: null,
  charts: new Map(),
  render: 0,
};

// --- small helpers -------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

const tr = (key, values) => t(state.language, key, values);
const words = () => strings(state.language);

function todayInOslo() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Oslo", year: "numeric", month: "numeric", day: "numeric",
  }).formatToParts(new Date());
  const get = (type) => Number(parts.find((part) => part.type === type).value);
  return { year: get("year"), month: get("month") };
}

// --- formatting ----------------------------------------------------------------------------

const formats = {
  count: (value) => new Intl.NumberFormat(locale(state.language), { maximumFractionDigits: 0 }).format(value),
  days: (value) => new Intl.NumberFormat(locale(state.language), { maximumFractionDigits: 1 }).format(value),
  percent: (value) =>
    new Intl.NumberFormat(locale(state.language), { style: "percent", maximumFractionDigits: 1 }).format(value),
};

function formatDay(text) {
  const [year, month, day] = text.split("-").map(Number);
  return new Intl.DateTimeFormat(locale(state.language), {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

function formatInstant(text) {
  return new Intl.DateTimeFormat(locale(state.language), {
    dateStyle: "long", timeStyle: "short", timeZone: "Europe/Oslo",
  }).format(new Date(text));
}

// One table cell from an answer's (or a breakdown row's) field: the API's own "<5" where it
// hid a small count, never a figure worked out here.
function cell(figures, field, format) {
  const value = figures[field];
  if (value === null || value === undefined) {
    if (figures.shown_as) return { raw: figures.shown_as, text: figures.shown_as, suppressed: true };
    return { raw: "", text: "–" };
  }
  return { raw: String(value), text: format(value) };
}

function targetText(target) {
  if (!target) return null;
  const value = target.value === null ? "" : formats.percent(target.value);
  switch (target.rule) {
    case "at_least": return tr("atLeast", { value });
    case "at_most": return tr("atMost", { value });
    case "zero": return tr("zero");
    case "falling": return tr("falling");
    case "rising": return tr("rising");
    default: return target.text;
  }
}

function status(meets) {
  if (meets === true) return { className: "met", symbol: "✓", text: tr("met") };
  if (meets === false) return { className: "not-met", symbol: "✗", text: tr("notMet") };
  return { className: "unknown", symbol: "–", text: tr("unknown") };
}

function regionName(code) {
  return code === NATIONAL || !code ? tr("national") : REGIONS[code] || code;
}

// --- the token -----------------------------------------------------------------------------

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

function keepToken(token, expiresIn) {
  const claims = claimsOf(token);
  const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + (expiresIn || 3600) * 1000;
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt }));
}

function keptToken() {
  // An organisation's own sign-in may hand a token over in the fragment, as OAuth does.
  const handed = new URLSearchParams(location.hash.slice(1));
  if (handed.get("access_token")) {
    keepToken(handed.get("access_token"), Number(handed.get("expires_in")) || undefined);
    history.replaceState(null, "", location.pathname + location.search);
  }
  try {
    const kept = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || "null");
    if (kept && kept.token && kept.expiresAt > Date.now() + 30_000) return kept.token;
  } catch {
    // a damaged entry: sign in again
  }
  sessionStorage.removeItem(TOKEN_KEY);
  return null;
}

// --- the API -------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, params) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.set(name, value);
  }
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${state.token}`, Accept: "application/json" },
    credentials: "omit", // the bearer token is all it sends: no cookies
  });
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      // not problem+json: the status says enough
    }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}

function kpi(id, params) {
  const region = state.region === NATIONAL ? undefined : state.region;
  return api(`/v1/kpis/${id}`, { period: state.period, region, ...params });
}

async function loadFigures() {
  const [occupancy, breaches, waiting, waitingDays, cases, officeCases, officeWaiting] = await Promise.all([
    Promise.all(CATEGORIES.map((category) => kpi("cap.occupancy", { category }))),
    kpi("cap.breaches", { breakdown: "kind" }),
    kpi("fc.waiting", { breakdown: "region" }),
    kpi("fc.waiting_days", { breakdown: "region" }),
    kpi("fv.cases_opened", { breakdown: "case_type" }),
    kpi("fv.cases_opened", { breakdown: "office" }),
    kpi("fv.waiting_days", { breakdown: "office" }),
  ]);
  return { occupancy, breaches, waiting, waitingDays, cases, officeCases, officeWaiting };
}

// --- the cards: what each shows ------------------------------------------------------------

function ordered(rows, field, order) {
  return [...rows].sort((a, b) => order.indexOf(a[field]) - order.indexOf(b[field]));
}

function label(name, figures) {
  return figures.shown_as && figures.value === null ? `${name} (${figures.shown_as})` : name;
}

function totalRow(answer, cells) {
  return { header: tr("total"), cells: cells(answer) };
}

// Each card: its section, title and explanation keys, and what it draws from the answers:
// `table` (columns, rows, total), `chart` (labels, datasets, options), and perhaps tiles or
// a target line.
const CARDS = [
  {
    id: "occupancy",
    section: "institutions",
    title: "occupancyTitle",
    explain: "occupancyExplain",
    build(answers) {
      const names = words().categories;
      const rows = answers.occupancy.map((answer) => {
        const category = answer.filters.category;
        return {
          key: category,
          header: names[category],
          figures: answer,
          cells: [
            cell(answer, "value", formats.percent),
            { raw: answer.target ? String(answer.target.value) : "", text: targetText(answer.target) || "–" },
            { raw: String(answer.meets_target), text: status(answer.meets_target).text },
            cell(answer, "numerator", formats.days),
            cell(answer, "denominator", formats.days),
          ],
        };
      });
      return {
        tiles: answers.occupancy.map((answer) => ({
          name: names[answer.filters.category],
          value: cell(answer, "value", formats.percent).text,
          goal: `${tr("target")}: ${targetText(answer.target) || "–"}`,
          status: status(answer.meets_target),
        })),
        table: {
          columns: [tr("category"), tr("utilisation"), tr("target"), tr("status"), tr("usedDays"), tr("budgetedDays")],
          numeric: [true, false, false, true, true],
          rows,
        },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: [
            // order: the target's mark (order 0) is drawn over the bars (1), inside a bar too.
            { label: tr("utilisation"), data: rows.map((row) => percentOf(row.figures.value)), order: 1 },
            {
              type: "line",
              order: 0,
              label: tr("target"),
              data: rows.map((row) => percentOf(row.figures.target && row.figures.target.value)),
              showLine: false,
              pointStyle: "line",
              pointRadius: 22,
              pointHoverRadius: 22,
              pointBorderWidth: 4,
              borderColor: TARGET_COLOUR,
              backgroundColor: TARGET_COLOUR,
            },
          ],
          unit: "percent",
        },
      };
    },
  },
  {
    id: "breaches",
    section: "institutions",
    title: "breachesTitle",
    explain: "breachesExplain",
    build(answers) {
      const answer = answers.breaches;
      const names = words().kinds;
      const cells = (figures) => [cell(figures, "value", formats.count), cell(figures, "children", formats.count)];
      const rows = ordered(answer.breakdown, "kind", BREACH_KINDS).map((row) => ({
        key: row.kind, header: names[row.kind] || row.kind, figures: row, cells: cells(row),
      }));
      return {
        targetLine: answer.target ? { target: targetText(answer.target), status: status(answer.meets_target) } : null,
        table: { columns: [tr("kind"), tr("requests"), tr("children")], numeric: [true, true], rows, total: totalRow(answer, cells) },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: [
            { label: tr("requests"), data: rows.map((row) => row.figures.value) },
            { label: tr("children"), data: rows.map((row) => row.figures.children) },
          ],
          unit: "count",
        },
      };
    },
  },
  {
    id: "waiting",
    section: "fosterCare",
    title: "waitingTitle",
    explain: "waitingExplain",
    build(answers) {
      const answer = answers.waiting;
      const cells = (figures) => [cell(figures, "value", formats.count)];
      const rows = byRegion(answer.breakdown).map((row) => ({
        key: row.region, header: regionName(row.region), figures: row, cells: cells(row),
      }));
      return {
        targetLine: answer.target ? { target: targetText(answer.target), status: status(answer.meets_target) } : null,
        table: { columns: [tr("regionColumn"), tr("waitingChildren")], numeric: [true], rows, total: totalRow(answer, cells) },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: [{ label: tr("waitingChildren"), data: rows.map((row) => row.figures.value) }],
          unit: "count",
        },
      };
    },
  },
  {
    id: "waiting-days",
    section: "fosterCare",
    title: "waitingDaysTitle",
    explain: "waitingDaysExplain",
    build(answers) {
      const answer = answers.waitingDays;
      const cells = (figures) => [
        cell(figures, "mean", formats.days),
        cell(figures, "median", formats.days),
        cell(figures, "p90", formats.days),
        cell(figures, "count_over_180", formats.count),
        cell(figures, "n", formats.count),
      ];
      const rows = byRegion(answer.breakdown).map((row) => ({
        key: row.region, header: regionName(row.region), figures: row, cells: cells(row),
      }));
      return {
        table: {
          columns: [tr("regionColumn"), tr("mean"), tr("median"), tr("p90"), tr("over180"), tr("childrenWaited")],
          numeric: [true, true, true, true, true],
          rows,
          total: totalRow(answer, cells),
        },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: ["mean", "median", "p90"].map((field) => ({
            label: tr(field), data: rows.map((row) => row.figures[field]),
          })),
          unit: "days",
        },
      };
    },
  },
  {
    id: "cases",
    section: "familyCounselling",
    title: "casesTitle",
    explain: "casesExplain",
    build(answers) {
      const answer = answers.cases;
      const names = words().caseTypes;
      const cells = (figures) => [cell(figures, "value", formats.count)];
      const rows = ordered(answer.breakdown, "case_type", CASE_TYPES).map((row) => ({
        key: row.case_type, header: names[row.case_type] || row.case_type, figures: row, cells: cells(row),
      }));
      return {
        table: { columns: [tr("caseType"), tr("cases")], numeric: [true], rows, total: totalRow(answer, cells) },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: [{ label: tr("cases"), data: rows.map((row) => row.figures.value) }],
          unit: "count",
        },
      };
    },
  },
  {
    id: "office-cases",
    section: "familyCounselling",
    title: "officeCasesTitle",
    explain: "officeCasesExplain",
    build(answers) {
      const answer = answers.officeCases;
      const cells = (figures) => [cell(figures, "value", formats.count)];
      const rows = answer.breakdown.map((row) => ({
        key: row.office, header: row.office_name || tr("unnamedOffice"), figures: row, cells: cells(row),
      }));
      return {
        table: { columns: [tr("office"), tr("cases")], numeric: [true], rows, total: totalRow(answer, cells) },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: [{ label: tr("cases"), data: rows.map((row) => row.figures.value) }],
          unit: "count",
          horizontal: true,
        },
      };
    },
  },
  {
    id: "office-waiting",
    section: "familyCounselling",
    title: "officeWaitingTitle",
    explain: "officeWaitingExplain",
    build(answers) {
      const answer = answers.officeWaiting;
      const cells = (figures) => [
        cell(figures, "mean", formats.days),
        cell(figures, "median", formats.days),
        cell(figures, "p90", formats.days),
        cell(figures, "n", formats.count),
      ];
      const rows = answer.breakdown.map((row) => ({
        key: row.office, header: row.office_name || tr("unnamedOffice"), figures: row, cells: cells(row),
      }));
      return {
        table: {
          columns: [tr("office"), tr("mean"), tr("median"), tr("p90"), tr("episodes")],
          numeric: [true, true, true, true],
          rows,
          total: totalRow(answer, cells),
        },
        chart: {
          labels: rows.map((row) => label(row.header, row.figures)),
          datasets: ["mean", "median"].map((field) => ({
            label: tr(field), data: rows.map((row) => row.figures[field]),
          })),
          unit: "days",
          horizontal: true,
        },
      };
    },
  },
];

const SECTIONS = ["institutions", "fosterCare", "familyCounselling"];

function percentOf(fraction) {
  return fraction === null || fraction === undefined ? null : Math.round(fraction * 1000) / 10;
}

function byRegion(rows) {
  return ordered(rows, "region", Object.keys(REGIONS));
}

// --- drawing -------------------------------------------------------------------------------

function drawCards() {
  for (const chart of state.charts.values()) chart.destroy();
  state.charts.clear();
  const container = $("sections");
  container.replaceChildren();
  const charts = [];
  for (const section of SECTIONS) {
    const heading = el("h2", { id: `section-${section}`, text: tr(section) });
    const cards = el("div", { className: "cards" });
    for (const card of CARDS.filter((c) => c.section === section)) {
      const content = card.build(state.answers);
      const article = drawCard(card, content);
      cards.append(article);
      const canvas = article.querySelector("canvas");
      if (canvas) charts.push([card.id, canvas, content.chart]);
    }
    container.append(el("section", { "aria-labelledby": `section-${section}` }, heading, cards));
  }
  // Once the canvases are in the document: Chart.js sizes each to its box.
  for (const [id, canvas, chart] of charts) state.charts.set(id, drawChart(canvas, chart));
}

function drawCard(card, content) {
  const titleId = `title-${card.id}`;
  const article = el("article", { className: "card", id: `card-${card.id}`, "aria-labelledby": titleId });
  article.append(el("h3", { id: titleId, text: tr(card.title) }));
  article.append(el("p", { className: "explain", text: tr(card.explain) }));
  if (content.tiles) article.append(drawTiles(content.tiles));
  if (content.targetLine) {
    const { target, status: met } = content.targetLine;
    const line = el("p", { className: "target-line" }, `${tr("target")}: ${target}. `);
    line.append(el("span", { className: `status ${met.className}` }, el("span", { "aria-hidden": "true", text: `${met.symbol} ` }), met.text));
    article.append(line);
  }
  const rows = content.table.rows;
  const drawable = content.chart.datasets.some(
    (dataset) => dataset.type !== "line" && dataset.data.some((v) => v !== null && v !== undefined),
  );
  if (rows.length === 0) {
    article.append(el("p", { className: "empty", text: tr("empty") }));
  } else if (!drawable) {
    // Nothing but hidden figures: an empty chart would only show a bare axis.
    article.append(el("p", { className: "empty", text: tr("allHidden") }));
  } else {
    const summary = rows.map((row) => `${row.header}: ${row.cells[0].text}`).join("; ");
    const canvas = el("canvas", {
      role: "img",
      "aria-label": tr("chartLabel", { title: tr(card.title), summary }),
      "data-chart": card.id,
    });
    const box = el("div", { className: "chart-box" }, canvas);
    if (content.chart.horizontal) box.style.height = `${Math.max(12, rows.length * 2.5 + 5)}rem`;
    article.append(box);
    if (rows.some((row) => row.cells.some((c) => c.suppressed))) {
      article.append(el("p", { className: "note", text: tr("suppressedInChart") }));
    }
  }
  article.append(drawTable(card, content.table));
  return article;
}

function drawTiles(tiles) {
  const list = el("ul", { className: "tiles" });
  for (const tile of tiles) {
    list.append(
      el(
        "li",
        { className: `tile ${tile.status.className}` },
        el("p", { className: "name", text: tile.name }),
        el("p", { className: "value", text: tile.value }),
        el("p", { className: "goal", text: tile.goal }),
        el(
          "p",
          { className: `status ${tile.status.className}` },
          el("span", { "aria-hidden": "true", text: `${tile.status.symbol} ` }),
          tile.status.text,
        ),
      ),
    );
  }
  return list;
}

function drawTable(card, table) {
  const details = el("details", { "data-table": card.id });
  details.append(el("summary", { text: tr("showTable") }));
  const element = el("table");
  const captionId = `caption-${card.id}`;
  element.append(el("caption", { id: captionId, text: `${tr(card.title)} – ${scopeText()}` }));
  const head = el("tr");
  table.columns.forEach((column, index) =>
    head.append(el("th", { scope: "col", className: index > 0 && table.numeric[index - 1] ? "number" : null, text: column })),
  );
  element.append(el("thead", {}, head));
  const body = el("tbody");
  for (const row of table.rows) body.append(tableRow(row, table.numeric));
  element.append(body);
  if (table.total) element.append(el("tfoot", {}, tableRow(table.total, table.numeric)));
  // A narrow screen scrolls a wide table sideways: the keyboard must reach it too.
  details.append(
    el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": captionId }, element),
  );
  if ([...table.rows, table.total].some((row) => row && row.cells.some((c) => c.suppressed))) {
    details.append(el("p", { className: "note", text: tr("suppressedNote") }));
  }
  return details;
}

function tableRow(row, numeric) {
  const line = el("tr", { "data-key": row.key || "total" });
  line.append(el("th", { scope: "row", text: row.header }));
  row.cells.forEach((c, index) =>
    line.append(el("td", { className: numeric[index] ? "number" : null, "data-value": c.raw, text: c.text })),
  );
  return line;
}

// A long category name on lines of about `width` characters: Chart.js draws an array as
// lines, so names stay level and readable instead of slanting into each other.
function wrap(text, width = 18) {
  const lines = [];
  for (const word of String(text).split(" ")) {
    const last = lines.length ? lines[lines.length - 1] : null;
    if (last !== null && (last + " " + word).length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function drawChart(canvas, chart) {
  const format = formats[chart.unit] || formats.count;
  const tick = chart.unit === "percent" ? (value) => `${formats.days(value)} %` : (value) => format(value);
  const valueAxis = {
    beginAtZero: true,
    ticks: { callback: tick, precision: 0 }, // whole steps: no axis of 0, 0, 1, 1
    suggestedMax: chart.unit === "percent" ? 110 : undefined,
    grid: { color: "#e2e2e2" },
  };
  const categoryAxis = { ticks: { autoSkip: false }, grid: { display: false } };
  return new window.Chart(canvas, {
    type: "bar",
    data: {
      // Long names in lines: a horizontal chart's axis would otherwise cut them at the edge.
      labels: chart.labels.map((name) => wrap(name, chart.horizontal ? 28 : 18)),
      datasets: chart.datasets.map((dataset, index) => ({
        backgroundColor: SERIES[index % SERIES.length],
        borderColor: SERIES[index % SERIES.length],
        ...dataset,
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      locale: locale(state.language),
      indexAxis: chart.horizontal ? "y" : "x",
      plugins: {
        legend: { display: chart.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: (context) =>
              `${context.dataset.label}: ${chart.unit === "percent" ? `${formats.days(context.raw)} %` : format(context.raw)}`,
          },
        },
      },
      scales: chart.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    },
  });
}

// --- the page's texts, selectors and state -------------------------------------------------

function applyTexts() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
  $("language").value = state.language;
}

function periodLabel(period) {
  const [year, part] = period.split("-");
  if (!part) return year;
  if (part.startsWith("T")) return tr("periodTertial", { n: part[1], year });
  return new Intl.DateTimeFormat(locale(state.language), { month: "long", year: "numeric", timeZone: "UTC" })
    .format(new Date(Date.UTC(Number(year), Number(part) - 1, 1)));
}

function scopeText() {
  return tr("scopeHeading", { region: regionName(state.region), period: periodLabel(state.period) });
}

function fillRegions() {
  const select = $("region");
  const only = state.claims.region;
  const codes = only ? [only] : [NATIONAL, ...Object.keys(REGIONS)];
  select.replaceChildren(...codes.map((code) => el("option", { value: code, text: regionName(code) })));
  if (!codes.includes(state.region)) state.region = codes[0];
  select.value = state.region;
  const hint = $("region-hint");
  hint.hidden = !only;
  hint.textContent = only ? tr("regionLocked", { region: regionName(only) }) : "";
}

function fillPeriods() {
  const today = todayInOslo();
  let [year, part = ""] = state.period.split("-");
  const years = [];
  for (let y = today.year; y >= FIRST_YEAR; y -= 1) years.push(String(y));
  if (!years.includes(year)) year = DEFAULT_PERIOD;
  $("year").replaceChildren(...years.map((y) => el("option", { value: y, text: y })));
  $("year").value = year;
  // Only periods that have begun: the API answers 422 for one that has not.
  const running = Number(year) === today.year;
  const begun = (month) => !running || month <= today.month;
  const parts = [{ value: "", text: tr("wholeYear") }];
  [1, 2, 3].forEach((n) => begun(n * 4 - 3) && parts.push({ value: `T${n}`, text: tr(`tertial${n}`) }));
  words().months.forEach((name, index) => {
    if (begun(index + 1)) parts.push({ value: String(index + 1).padStart(2, "0"), text: name });
  });
  $("part").replaceChildren(...parts.map((p) => el("option", { value: p.value, text: p.text })));
  if (!parts.some((p) => p.value === part)) part = "";
  $("part").value = part;
  state.period = part ? `${year}-${part}` : year;
}

function keepInUrl() {
  const params = new URLSearchParams({ period: state.period, region: state.region, lang: state.language });
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function drawScope() {
  document.title = `${scopeText()} – ${tr("pageTitle")}`;
  $("scope-heading").textContent = scopeText();
  const answers = state.answers;
  if (!answers) return;
  const first = answers.waiting;
  $("period-days").textContent = tr("periodDays", { first: formatDay(first.first_day), last: formatDay(first.last_day) });
  const all = [...answers.occupancy, answers.breaches, answers.waiting, answers.waitingDays, answers.cases, answers.officeCases, answers.officeWaiting];
  const newest = all.map((answer) => answer.data_as_of).filter(Boolean).sort().at(-1);
  $("freshness").textContent = newest ? tr("freshness", { time: formatInstant(newest) }) : tr("noData");
}

function setBusy(busy) {
  $("dashboard").setAttribute("aria-busy", busy ? "true" : "false");
  document.body.dataset.state = busy ? "loading" : "ready";
  if (busy) $("status").textContent = tr("loading");
}

async function refresh() {
  const render = ++state.render;
  keepInUrl();
  setBusy(true);
  $("error").textContent = "";
  try {
    const answers = await loadFigures();
    if (render !== state.render) return; // a newer choice is on its way
    state.answers = answers;
    draw();
    $("status").textContent = tr("loaded");
  } catch (error) {
    if (render !== state.render) return;
    failed(error);
  } finally {
    if (render === state.render) {
      setBusy(false);
      document.body.dataset.render = String(render);
    }
  }
}

function draw() {
  drawScope();
  if (state.answers) drawCards();
}

function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut(tr("sessionEnded"));
    return;
  }
  if (error instanceof ApiError && error.status === 403) {
    $("error").textContent = tr("forbidden", { detail: error.message });
  } else {
    $("error").textContent = tr("failed", { status: error.status || error.message });
  }
  for (const chart of state.charts.values()) chart.destroy();
  state.charts.clear();
  $("sections").replaceChildren();
  document.body.dataset.state = "error";
}

// --- signing in and out --------------------------------------------------------------------

function showSignIn(message = "") {
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-message").textContent = message;
  document.body.dataset.state = "signed-out";
}

function signOut(message = "") {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.claims = {};
  state.answers = null;
  state.render += 1; // answers still on their way are for no one
  for (const chart of state.charts.values()) chart.destroy();
  state.charts.clear();
  $("sections").replaceChildren();
  showSignIn(message);
  $("client-id").focus();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const clientId = form.client_id.value.trim();
  const secret = form.client_secret.value;
  const message = $("sign-in-message");
  if (!clientId || !secret) {
    message.textContent = tr("signInWrong");
    return;
  }
  $("sign-in-button").disabled = true;
  message.textContent = "";
  try {
    // Only reports.read, whatever else the client may: the dashboard shows published figures,
    // small counts hidden.
    const body = new URLSearchParams({
      grant_type: "client_credentials", client_id: clientId, client_secret: secret, scope: "reports.read",
    });
    // credentials "omit": the issuer's 401 asks for Basic credentials, and a browser would
    // answer that with its own password dialog; the form says what went wrong instead.
    const response = await fetch("/v1/auth/token", {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "omit",
    });
    if (response.ok) {
      const answer = await response.json();
      keepToken(answer.access_token, answer.expires_in);
      form.reset();
      start(answer.access_token);
      $("scope-heading").focus();
      return;
    }
    const problem = await response.json().catch(() => ({}));
    if (response.status === 404) message.textContent = tr("signInElsewhere");
    else if (response.status === 401) message.textContent = tr("signInWrong");
    else if (problem.error === "invalid_scope") message.textContent = tr("signInNoScope");
    else message.textContent = tr("signInFailed", { detail: problem.detail || response.status });
  } catch (error) {
    message.textContent = tr("signInFailed", { detail: error.message });
  } finally {
    $("sign-in-button").disabled = false;
  }
}

function start(token) {
  state.token = token;
  state.claims = claimsOf(token);
  $("sign-in").hidden = true;
  $("dashboard").hidden = false;
  $("sign-out").hidden = false;
  fillRegions();
  fillPeriods();
  refresh();
}

// --- wiring --------------------------------------------------------------------------------

function init() {
  const params = new URLSearchParams(location.search);
  const asked = params.get("lang") || localStorage.getItem(LANGUAGE_KEY);
  state.language = asked in LANGUAGES ? asked : DEFAULT_LANGUAGE;
  state.period = params.get("period") || DEFAULT_PERIOD;
  state.region = params.get("region") || NATIONAL;
  $("scope-heading").setAttribute("tabindex", "-1");
  applyTexts();

  $("language").addEventListener("change", (event) => {
    state.language = event.target.value in LANGUAGES ? event.target.value : DEFAULT_LANGUAGE;
    localStorage.setItem(LANGUAGE_KEY, state.language);
    applyTexts();
    if (!state.token) return;
    fillRegions();
    fillPeriods();
    keepInUrl();
    draw(); // the same figures, in the other language
  });
  $("region").addEventListener("change", (event) => {
    state.region = event.target.value;
    drawScope();
    refresh();
  });
  const periodChanged = () => {
    const part = $("part").value;
    state.period = part ? `${$("year").value}-${part}` : $("year").value;
    fillPeriods();
    drawScope();
    refresh();
  };
  $("year").addEventListener("change", periodChanged);
  $("part").addEventListener("change", periodChanged);
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut());

  const token = keptToken();
  if (token) start(token);
  else showSignIn();
}

if (window.Chart) {
  window.Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  window.Chart.defaults.font.size = 13;
  window.Chart.defaults.color = "#1b1b1b";
}
init();

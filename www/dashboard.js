// The analyst dashboard: the branch at a glance. The data is loaded once into
// the worker; every filter change asks the worker (and so the core) for a new
// view — report, cross-tab, NPS by a question, follow-up list, key drivers,
// NPS trend — and this file only lays the numbers out as tables and SVG
// charts. Every view and export respects the filters in force.
import {
  COLORS,
  diverging,
  hbars,
  heat,
  intervals,
  quadrant,
  splitBar,
  trendLine,
} from './charts.js';
import {
  initialLang,
  localDay,
  problemText,
  saveLang,
  sentence,
  t,
  translatePage,
} from './i18n.js';
import './texts.js';
import { $, catchFailures, h, labelLangButton, saveFile } from './dom.js';
import { ask } from './worker-bridge.js';
import { setOptions } from './sets.js';
import { codeMark } from './answers.js';
import { staffGate } from './lock.js';
import { caseCounts, casesSection } from './cases.js';
import { clampNps, num, pct, pText } from './present.js';
import {
  frequencyTable,
  npsGroupsTable,
  optionLabel,
  questionTitle,
  satisfactionTable,
  table,
  textOf as textIn,
} from './report-tables.js';
import { offline } from './offline.js';

// Nothing of this screen shows before the staff passphrase (and never in kiosk mode).
await staffGate();

const DEMO_URL = 'demo/zg-x-branch-2023.csv';
const FOLLOW_LIMIT = 200;
/** Periods of the trend table shown at first (the latest ones; the print shows them all). */
const TREND_SHOWN = 12;
/** Rows of the follow-up list on one screen page (the print shows them all). */
const FOLLOW_PAGE = 10;

const state = {
  /** @type {'zh-CN' | 'en'} */
  lang: initialLang(),
  /** What was loaded: {name, n, instrument, modes, dated} */
  source: null,
  /** The filter in force, in the core's shape. */
  filter: { answers: {}, columns: {}, from: null, to: null },
  row: 'q2',
  col: 'q14',
  /** 'count' | 'row' | 'col' */
  show: 'count',
  /** NPS by this question (set by the cross-tab's button). */
  by: null,
  /** The last view from the worker. */
  view: null,
  /** The follow-up list's page on screen (0-based): the first again when the filter changes. */
  fuPage: 0,
  /** The filter of the view on screen (JSON), to tell a filter change from a redraw. */
  viewFilter: '',
  /** Whether every question's frequencies are shown on screen (always in print). */
  freqOpen: false,
  /** Whether the key drivers' chart and table are shown on a phone (always on a wider screen and in print). */
  driversOpen: false,
  /** The key drivers drawn last and the filter they are of: { key, value }. */
  drivers: null,
  /** The trend's period: 'month' | 'quarter' | 'week'. */
  period: 'month',
  /** Whether the trend table shows every period (else the latest TREND_SHOWN). */
  trendAll: false,
  /** The trend's date column (null: the core's default, date / submitted_at / keyed_at). */
  dateColumn: null,
};

const tr = (key, vars) => t(state.lang, key, vars);
const textOf = (text) => textIn(state.lang, text);

const instrument = () => state.source.instrument;
/** The loaded data's name in the language shown (the demo's and the device's are texts, a file's is its name). */
const sourceName = () => (state.source.nameKey ? tr(state.source.nameKey) : state.source.name);
/** The status line under the filters: what is shown, of what. */
const updatedText = () =>
  sentence(
    state.lang,
    tr('dash.updated', { n: state.view.n, total: state.view.total, name: sourceName() }),
  );
const question = (id) => instrument().questions.find((q) => q.id === id);
const qTitle = (id) => questionTitle(state.lang, instrument(), id);
const optionText = (q, code) => optionLabel(state.lang, q, code);

/** Appends the children that are not null. */
const add = (parent, ...children) =>
  parent.append(...children.filter((c) => c != null && c !== false));

/** Whether the page is being printed (set around printing, and by print media). */
const printMedia = matchMedia('print');
let printing = false;
/** Printed chart widths in CSS pixels: dashboard.css's 120 mm, and 90 mm beside a table. */
const PRINT_WIDTH = { full: 453, beside: 340 };

/**
 * The pixel width a chart gets in a card of the board (charts.js draws at that
 * width, so its text stays 13 px). In print, the width it is printed at
 * (`beside`: next to its table), so its text is printed at about 9 pt, not
 * shrunk to fit.
 */
function chartWidth(share = 1, beside = false) {
  if (printing || printMedia.matches) return beside ? PRINT_WIDTH.beside : PRINT_WIDTH.full;
  const inner = ($('#board').clientWidth || 600) - 34; // the card's padding and border
  return Math.floor(Math.min(640, inner * share));
}
const wideFreq = () => matchMedia('(min-width: 48rem)').matches;

// ---- loading ------------------------------------------------------------------

async function open(name, request, nameKey = null) {
  $('#dash-status').textContent = sentence(state.lang, tr('dash.loading', { name }));
  try {
    const payload = await request();
    const info = await ask(
      'dash.open',
      payload,
      undefined,
      payload.bytes ? [payload.bytes.buffer] : [],
    );
    state.failure = null;
    state.fuPage = 0;
    state.source = { name, nameKey, file: payload.name ?? null, ...info };
    // Another questionnaire may lack the cross-tab's questions: then its first two.
    const ids = info.instrument.questions.map((q) => q.id);
    if (!ids.includes(state.row) || !ids.includes(state.col))
      [state.row, state.col] = [ids[0], ids[1] ?? ids[0]];
    renderSets(info);
    state.filter = { answers: {}, columns: {}, from: null, to: null };
    state.by = null;
    state.dateColumn = null;
    state.drivers = null;
    renderFilters();
    await refresh();
  } catch (error) {
    state.source = null;
    state.view = null;
    state.failure = { name, error };
    renderFailure();
    $('#dash-status').textContent = '';
    document.documentElement.dataset.ready = 'true';
  }
}

/**
 * Why a file could not be loaded, in the page's language: the core's problems
 * by their codes (texts.js problem.*), at most five; any other error is named
 * as such, its own (English) words kept apart as the technical detail.
 */
function renderFailure() {
  const { name, error } = state.failure;
  const problems = Array.isArray(error?.problems) ? error.problems : [];
  const describe = (p) => problemText(state.lang, p);
  const where = (p) =>
    [p.line != null ? tr('dash.line', { line: p.line }) : '', p.column ?? p.field ?? '']
      .filter(Boolean)
      .join(' ');
  const raw = String(error?.message ?? error);
  $('#top').replaceChildren();
  $('#board').replaceChildren(
    h(
      'section',
      { class: 'card', role: 'alert', id: 'dash-failure' },
      h('p', {
        class: 'error',
        text: problems.length
          ? tr('dash.failedProblems', { name, total: error.total ?? problems.length })
          : tr('dash.failedPlain', { name }),
      }),
      problems.length
        ? h(
            'ul',
            {},
            problems.slice(0, 5).map((p) =>
              h('li', {
                'data-code': p.code,
                text: [where(p), describe(p)].filter(Boolean).join('：'),
              }),
            ),
          )
        : null,
      problems.length
        ? null
        : h(
            'p',
            { class: 'hint' },
            `${tr('dash.technical')}：`,
            h('code', { lang: 'en', text: raw }),
          ),
    ),
  );
}

/** The device's questionnaires, when it holds more than one: the dashboard shows one at a time. */
function renderSets(info) {
  const sets = info.sets ?? [];
  $('#dash-set-wrap').hidden = sets.length < 2;
  $('#dash-set').replaceChildren(...setOptions(sets, info.fingerprint, tr, textOf));
}

const fromStore = (fingerprint) =>
  open(
    tr('device.name'),
    async () => ({
      source: 'store',
      fingerprint: typeof fingerprint === 'string' ? fingerprint : undefined,
    }),
    'device.name',
  );
const fromDemo = () =>
  open(
    tr('demoName'),
    async () => {
      const res = await fetch(DEMO_URL);
      if (!res.ok) throw new Error(`${DEMO_URL}: HTTP ${res.status}`);
      return {
        source: 'file',
        name: 'zg-x-branch-2023.csv',
        bytes: new Uint8Array(await res.arrayBuffer()),
      };
    },
    'demoName',
  );

let pending = 0;
/** Asks the worker for the view under the current filter, then draws it. */
async function refresh() {
  if (!state.source) return;
  const ticket = ++pending;
  $('#board').setAttribute('aria-busy', 'true');
  try {
    const view = await ask('dash.view', {
      filter: state.filter,
      row: state.row,
      col: state.col,
      by: state.by,
      limit: FOLLOW_LIMIT,
      period: state.period,
      dateColumn: trendColumn(),
      dates: hasDates(),
    });
    if (ticket !== pending) return; // a newer filter is on its way
    // The key drivers of the same filter, if already drawn, stay; else they follow.
    const key = JSON.stringify(state.filter);
    view.drivers = state.drivers?.key === key ? state.drivers.value : undefined;
    if (key !== state.viewFilter) [state.fuPage, state.viewFilter] = [0, key];
    state.view = view;
    render();
    // For the benchmark (bench/dashboard.mjs): the worker's time for this view.
    $('#board').dataset.viewMs = view.ms.toFixed(1);
    $('#dash-status').textContent = updatedText();
    if (view.drivers === undefined) loadDrivers(ticket, key);
  } catch (error) {
    if (ticket !== pending) return;
    $('#dash-status').textContent = tr('dash.viewFailed', {
      what: String(error?.message ?? error),
    });
  } finally {
    if (ticket === pending) $('#board').setAttribute('aria-busy', 'false');
    document.documentElement.dataset.ready = 'true';
  }
}

/**
 * The key drivers, asked after the rest of the view is drawn (their bootstrap
 * takes a while on large data): then the drivers section and the first
 * screen's item to fix first are drawn again, nothing else (a case note being
 * typed stays as it is).
 */
async function loadDrivers(ticket, key) {
  $('#board').dataset.drivers = 'busy';
  let value;
  try {
    value = await ask('dash.drivers', { filter: state.filter });
  } catch (error) {
    value = { error: { message: String(error?.message ?? error) } };
  }
  if (ticket !== pending || !state.view) return; // a newer filter asks its own
  state.drivers = { key, value };
  state.view.drivers = value;
  $('#drivers')?.replaceWith(driversSection() ?? h('span', { hidden: true }));
  drawTop();
  $('#board').dataset.drivers = 'ready';
}

// ---- filters ------------------------------------------------------------------

function filterSummary() {
  const f = state.filter;
  const parts = Object.entries(f.answers).map(
    ([q, codes]) => `${q.toUpperCase()} = ${codes.join(', ')}`,
  );
  if (f.columns.mode?.length)
    parts.push(`${tr('dash.mode')} = ${f.columns.mode.map((m) => tr(`mode.${m}`)).join(', ')}`);
  if (f.from || f.to) parts.push(`${f.from ?? '…'} – ${f.to ?? '…'}`);
  return parts.length ? parts.join('; ') : tr('dash.noFilter');
}

function renderFilters() {
  const src = state.source;
  const select = /** @type {HTMLSelectElement} */ ($('#filter-question'));
  const chosen = select.value || 'q1';
  select.replaceChildren(
    ...src.instrument.questions.map((q) => h('option', { value: q.id, text: qTitle(q.id) })),
  );
  select.value = src.instrument.questions.some((q) => q.id === chosen)
    ? chosen
    : src.instrument.questions[0].id;
  renderOptionBoxes();
  const modes = $('#filter-modes');
  modes.hidden = !src.modes.length;
  modes.replaceChildren(
    h('legend', { text: tr('dash.mode') }),
    ...src.modes.map((m) => {
      const box = h('input', {
        type: 'checkbox',
        id: `mode-${m}`,
        value: m,
        onchange: () => setList('columns', 'mode', m, box.checked),
      });
      box.checked = state.filter.columns.mode?.includes(m) ?? false;
      return h('label', { class: 'check-option' }, box, ' ', tr(`mode.${m}`));
    }),
  );
  $('#filter-dates').hidden = !src.dated;
}

function renderOptionBoxes() {
  const q = question(/** @type {HTMLSelectElement} */ ($('#filter-question')).value);
  const codes =
    q.kind === 'single'
      ? q.options.map((o) => o.code)
      : Array.from({ length: q.max - q.min + 1 }, (_, k) => String(q.min + k));
  const kept = state.filter.answers[q.id] ?? [];
  $('#filter-options').replaceChildren(
    h('legend', { id: 'filter-options-legend', text: tr('dash.keep', { q: qTitle(q.id) }) }),
    ...codes.map((code) => {
      const box = h('input', {
        type: 'checkbox',
        id: `opt-${q.id}-${code}`,
        value: code,
        onchange: () => setList('answers', q.id, code, box.checked),
      });
      box.checked = kept.includes(code);
      return h('label', { class: 'check-option' }, box, ' ', optionText(q, code));
    }),
  );
}

/** Adds or removes a value of a filter list; an empty list is no condition. */
function setList(kind, key, value, on) {
  const lists = state.filter[kind];
  const list = new Set(lists[key] ?? []);
  if (on) list.add(value);
  else list.delete(value);
  if (list.size) lists[key] = [...list];
  else delete lists[key];
  scheduleRefresh();
}

let timer;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 60);
}

// ---- the views ------------------------------------------------------------------

/**
 * The few numbers that matter, first: NPS with its interval and which way it
 * went (the trend's last two periods, an arrow only where the core finds the
 * change significant), n, the satisfaction index, the item to fix first (the
 * core's pick from the key drivers), the detractors to call back; then what
 * they are of.
 */
function keyFigures(report) {
  const v = state.view;
  const nps = report?.nps;
  const tile = (id, name, value, ...sub) =>
    h(
      'div',
      { class: `kpi kpi-${id}` },
      h('dt', { text: name }),
      h('dd', { class: 'kpi-value', id: `kpi-${id}` }, value),
      ...sub.filter(Boolean).map((x) => h('dd', { class: 'kpi-sub' }, x)),
    );
  const card = h(
    'section',
    { class: 'card kpis', 'aria-labelledby': 'head-h' },
    h('h2', { id: 'head-h', text: tr('nps.title') }),
  );
  const hasNps = nps && nps.nps != null;
  // The adjusted-Wald interval (the core's `adjusted`); Wald's stays in the JSON.
  const [lo, hi] = hasNps ? nps.adjusted.ci95.map(clampNps) : [null, null];
  const move = hasNps ? lastChange() : null;
  const fix = v.drivers?.fix_first ?? null;
  const cases = state.source?.fingerprint ? caseCounts() : null;
  const figures = h(
    'dl',
    { class: 'kpi-row' },
    tile(
      'nps',
      'NPS',
      hasNps ? h('span', { class: 'big', id: 'nps-value', text: num(nps.nps) }) : tr('nps.none'),
      hasNps
        ? h('span', {
            id: 'nps-ci',
            text: tr('nps.ci', { lo: num(lo), hi: num(hi), moe: num(nps.adjusted.moe95) }),
          })
        : null,
      move
        ? h(
            'span',
            { id: 'nps-trend', 'data-trend': move.dir },
            h('span', {
              class: `arrow arrow-${move.dir}`,
              'aria-hidden': 'true',
              text: move.arrow,
            }),
            ' ',
            move.text,
          )
        : null,
      hasNps && nps.small ? h('span', { class: 'hint', text: tr('nps.small') }) : null,
    ),
    tile('n', tr('dash.kpiN'), String(v.n), tr('dash.kpiOf', { total: v.total })),
    report
      ? tile('index', tr('dash.kpiIndex'), num(report.scale?.overall_index), tr('dash.kpiIndexSub'))
      : null,
    v.drivers === undefined && v.report
      ? tile('fix', tr('dash.kpiFix'), '…', tr('drv.busy'))
      : v.drivers && !v.drivers.error
        ? tile(
            'fix',
            tr('dash.kpiFix'),
            fix ? fix.toUpperCase() : tr('dash.kpiFixNone'),
            fix ? textOf(question(fix)?.text) : tr('dash.kpiFixNoneSub'),
            // Few answers (the core's rule, as for the NPS): the pick is read with care.
            v.drivers.small
              ? h('span', { class: 'hint', id: 'kpi-fix-small', text: tr('nps.small') })
              : null,
            h('a', { href: '#drivers', class: 'kpi-link', text: tr('dash.kpiFixLink') }),
          )
        : null,
    tile(
      'follow',
      tr('dash.kpiFollow'),
      String(v.followUp?.count ?? 0),
      v.followUp?.count
        ? h('a', { href: '#follow-up', class: 'kpi-link', text: tr('dash.kpiFollowLink') })
        : null,
    ),
    // The follow-up cases (the device's own data only): open, and how many of them are overdue.
    cases
      ? tile(
          'cases',
          tr('dash.kpiCases'),
          String(cases.open),
          h('span', {
            class: cases.overdue ? 'overdue' : null,
            id: 'kpi-overdue',
            text: tr('dash.kpiOverdue', { n: cases.overdue }),
          }),
          h('a', { href: '#cases', class: 'kpi-link', text: tr('dash.kpiCasesLink') }),
        )
      : null,
  );
  add(
    card,
    figures,
    h('p', {
      class: 'context',
      id: 'dash-context',
      text: tr('dash.context', { n: v.n, total: v.total, filters: filterSummary() }),
    }),
    v.undated ? h('p', { class: 'hint', text: tr('dash.undated', { n: v.undated }) }) : null,
  );
  return card;
}

/**
 * Which way the NPS went from the trend's last but one period to its last:
 * ↑ or ↓ only when the core calls the change significant, → otherwise.
 */
function lastChange() {
  const periods = state.view.trend?.periods ?? [];
  if (periods.length < 2) return null;
  const [prev, last] = periods.slice(-2);
  if (last.significant == null) return null;
  const dir = !last.significant ? 'flat' : last.change > 0 ? 'up' : 'down';
  const key = { up: 'dash.kpiTrendUp', down: 'dash.kpiTrendDown', flat: 'dash.kpiTrendFlat' }[dir];
  return {
    dir,
    arrow: { up: '↑', down: '↓', flat: '→' }[dir],
    text: tr(key, { period: last.period, prev: prev.period }),
  };
}

/** The core's refusal in the page's language: its problems by their codes, else its message. */
function refusal(error) {
  const problems = Array.isArray(error?.problems) ? error.problems : [];
  return problems.length
    ? problems.map((p) => problemText(state.lang, p)).join(state.lang === 'en' ? '; ' : '；')
    : String(error?.message ?? error);
}

/** Whether the data has dates to draw a trend from. */
const hasDates = () =>
  !!state.source && (state.source.dated || (state.source.dateColumns?.length ?? 0) > 0);
/** The trend's date column: the one chosen, else the core's default (or the best date column when there is no default one). */
const trendColumn = () =>
  state.dateColumn ?? (state.source?.dated ? null : (state.source?.dateColumns?.[0] ?? null));
const wideDrivers = () => matchMedia('(min-width: 60rem)').matches;
const signed = (x, d = 2) => (x == null ? '—' : x > 0 ? `+${num(x, d)}` : num(x, d));

/**
 * Key drivers: each satisfaction item's share of R² (importance) against its
 * index (performance), the quadrant to fix first shaded and the core's pick
 * marked; the table beside is the chart in words.
 */
function driversSection() {
  const d = state.view.drivers;
  if (d === null) return null;
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'drv-h', id: 'drivers' },
    h('h2', { id: 'drv-h', text: tr('drv.title') }),
  );
  if (d === undefined) {
    section.setAttribute('aria-busy', 'true');
    section.append(h('p', { class: 'hint', id: 'drv-busy', role: 'status', text: tr('drv.busy') }));
    return section;
  }
  if (d.error) {
    // The two refusals the default target and items can meet, named by the core's field; any other as the core gives it.
    const p = d.error.problems?.[0];
    const what =
      p?.field === 'n'
        ? tr('drv.tooFew', { n: p.value ?? '—' })
        : p?.field === 'target'
          ? tr('drv.constant', { target: String(p.value ?? '').toUpperCase() })
          : refusal(d.error);
    section.append(
      h('p', { class: 'hint', id: 'drv-failed', role: 'status', text: tr('drv.failed', { what }) }),
    );
    return section;
  }
  const target = d.target.toUpperCase();
  const fix = d.fix_first;
  const shown = d.items.filter((it) => it.share != null && it.index != null);
  // The dividing lines: the core's mean share and mean index (its pick's threshold).
  const means = { x: (d.mean_share ?? 0) * 100, y: d.mean_index };
  const chart = shown.length
    ? quadrant(
        shown.map((it) => ({
          label: it.question.toUpperCase(),
          x: it.share * 100,
          y: it.index,
          mark: it.question === fix,
        })),
        means,
        { x: tr('drv.x'), y: tr('drv.y'), quadrant: tr('drv.fixFirst') },
        tr('drv.chartLabel', {
          pick: fix ? tr('drv.chartPick', { q: qTitle(fix) }) : tr('drv.chartNoPick'),
        }),
        chartWidth(wideDrivers() ? 0.5 : 1, true) - (wideDrivers() ? 10 : 0),
      )
    : null;
  // On a phone the chart and table fold behind a button (the pick above says what matters); wider, and in print, they show.
  const toggle = h(
    'p',
    { class: 'controls phone-only' },
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        id: 'drv-toggle',
        'aria-expanded': String(state.driversOpen),
        'aria-controls': 'drv-detail',
        onclick: () => {
          state.driversOpen = !state.driversOpen;
          toggle.firstChild.setAttribute('aria-expanded', String(state.driversOpen));
          toggle.firstChild.textContent = tr(state.driversOpen ? 'drv.hide' : 'drv.show');
          detail.classList.toggle('phone-folded', !state.driversOpen);
        },
      },
      tr(state.driversOpen ? 'drv.hide' : 'drv.show'),
    ),
  );
  const interval = (ci) => (ci ? ` (${num(ci[0] * 100)}–${num(ci[1] * 100)}%)` : '');
  const rows = d.items.map((it) =>
    h(
      'tr',
      { 'data-question': it.question, class: it.question === fix ? 'fix-first' : null },
      h(
        'th',
        { scope: 'row' },
        qTitle(it.question),
        it.question === fix ? h('span', { class: 'badge', text: tr('drv.fixFirst') }) : null,
      ),
      h('td', { class: 'num', text: num(it.r, 3) }),
      h('td', {
        class: 'num',
        text: it.share == null ? '—' : `${pct(it.share * 100)}${interval(it.share_ci95)}`,
      }),
      h('td', { class: 'num', text: num(it.index) }),
    ),
  );
  const detail = h(
    'div',
    { class: state.driversOpen ? 'drivers-grid' : 'drivers-grid phone-folded', id: 'drv-detail' },
    chart
      ? h(
          'div',
          {},
          h('p', { class: 'hint', text: tr('drv.lead', { target }) }),
          chart,
          h('p', { class: 'legend', text: tr('drv.legend') }),
        )
      : null,
    table(tr('drv.caption'), [tr('drv.item'), 'r', tr('drv.share'), tr('drv.index')], rows, {
      class: 'compact stack',
      id: 'drv-table',
    }),
  );
  add(
    section,
    h('p', { id: 'drv-summary', text: tr('drv.summary', { n: d.n, r2: num(d.r2, 3), target }) }),
    d.small ? h('p', { class: 'hint', id: 'drv-small', text: tr('drv.small', { n: d.n }) }) : null,
    h('p', {
      id: 'drv-pick',
      class: 'pick',
      text: fix ? tr('drv.pick', { q: qTitle(fix) }) : tr('drv.none'),
    }),
    toggle,
    detail,
  );
  return section;
}

/**
 * NPS per period (month, quarter or week) with its adjusted-Wald interval as
 * a band, the core's significant changes circled and marked in the table.
 */
function trendSection() {
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'trend-h', id: 'trend' },
    h('h2', { id: 'trend-h', text: tr('trend.title') }),
  );
  if (!hasDates()) {
    section.append(h('p', { class: 'hint', id: 'trend-none', text: tr('trend.noDates') }));
    return section;
  }
  const periods = h(
    'fieldset',
    { class: 'options-set inline', id: 'trend-period' },
    h('legend', { text: tr('trend.period') }),
    ['month', 'quarter', 'week'].map((p) => {
      const r = h('input', {
        type: 'radio',
        name: 'period',
        id: `period-${p}`,
        value: p,
        onchange: async () => {
          state.period = p;
          state.trendAll = false;
          await refresh();
          $(`#period-${p}`)?.focus();
        },
      });
      r.checked = state.period === p;
      return h('label', { class: 'check-option' }, r, ' ', tr(`trend.${p}`));
    }),
  );
  // The core's default (each row's first date of date / submitted_at / keyed_at) or one column.
  const columns = [...(state.source.dated ? [''] : []), ...(state.source.dateColumns ?? [])];
  const pickColumn =
    (state.source.dateColumns?.length ?? 0) > 1
      ? h(
          'p',
          { class: 'field' },
          h('label', { for: 'trend-column', text: tr('trend.column') }),
          ' ',
          h(
            'select',
            {
              id: 'trend-column',
              onchange: async (e) => {
                state.dateColumn = e.target.value || null;
                await refresh();
                $('#trend-column')?.focus();
              },
            },
            columns.map((c) =>
              h('option', {
                value: c,
                text: c || tr('trend.default'),
                selected: c === (trendColumn() ?? ''),
              }),
            ),
          ),
        )
      : null;
  add(section, h('div', { class: 'filter-row controls' }, periods, pickColumn));
  const t = state.view.trend;
  if (!t) return section;
  if (t.error) {
    section.append(
      h('p', {
        class: 'hint',
        id: 'trend-failed',
        text: tr('trend.failed', { what: refusal(t.error) }),
      }),
    );
    return section;
  }
  if (!t.periods.length) {
    add(
      section,
      h('p', { class: 'hint', id: 'trend-empty', text: tr('trend.empty') }),
      t.undated ? h('p', { class: 'hint', text: tr('trend.undated', { n: t.undated }) }) : null,
    );
    return section;
  }
  const sig = (p) =>
    p.significant == null
      ? '—'
      : !p.significant
        ? tr('trend.notSig')
        : tr(p.change > 0 ? 'trend.up' : 'trend.down');
  // The table shows the latest TREND_SHOWN periods until asked for all (52 weeks as cards is a long phone page); the print has all.
  const hidden = state.trendAll ? 0 : Math.max(0, t.periods.length - TREND_SHOWN);
  const rows = t.periods.map((p, k) =>
    h(
      'tr',
      {
        'data-period': p.period,
        class:
          [p.significant ? 'significant' : '', k < hidden ? 'off-page' : ''].join(' ').trim() ||
          null,
      },
      h('th', { scope: 'row', text: p.period }),
      h('td', { class: 'num', text: p.n }),
      h('td', { class: 'num', text: num(p.nps) }),
      h('td', {
        class: 'num',
        text: p.ci95 ? `${num(clampNps(p.ci95[0]))} – ${num(clampNps(p.ci95[1]))}` : '—',
      }),
      h('td', { class: 'num', text: signed(p.change) }),
      h('td', { class: 'num', text: p.p == null ? '—' : pText(p.p) }),
      h('td', { text: sig(p) }),
    ),
  );
  add(
    section,
    trendLine(
      t.periods.map((p) => ({
        label: p.period,
        value: p.nps,
        lo: p.ci95?.[0],
        hi: p.ci95?.[1],
        marked: !!p.significant,
      })),
      tr('trend.chartLabel', { k: t.periods.filter((p) => p.significant).length }),
      chartWidth(1, true),
    ),
    h('p', { class: 'legend', text: tr('trend.legend') }),
    t.undated
      ? h('p', { class: 'hint', id: 'trend-undated', text: tr('trend.undated', { n: t.undated }) })
      : null,
    hidden
      ? h('p', {
          class: 'hint',
          id: 'trend-shown',
          text: tr('trend.shown', { shown: TREND_SHOWN, n: t.periods.length }),
        })
      : null,
    table(
      tr('trend.caption'),
      [tr('trend.when'), 'n', 'NPS', tr('trend.ci'), tr('trend.change'), 'p', tr('trend.sig')],
      rows,
      { class: 'compact stack', id: 'trend-table' },
    ),
    hidden
      ? h(
          'p',
          { class: 'controls' },
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              id: 'trend-all',
              onclick: () => {
                state.trendAll = true;
                section
                  .querySelectorAll('#trend-table tr.off-page')
                  .forEach((tr) => tr.classList.remove('off-page'));
                section.querySelector('#trend-shown')?.remove();
                section.querySelector('#trend-all')?.parentElement?.remove();
                section.querySelector('#trend-table tbody tr th')?.setAttribute('tabindex', '-1');
                /** @type {HTMLElement | null} */ (
                  section.querySelector('#trend-table tbody tr th')
                )?.focus();
              },
            },
            tr('trend.showAll', { n: t.periods.length }),
          ),
        )
      : null,
  );
  return section;
}

/** What the NPS is made of: the split bar and the three groups. */
function npsDetail(report) {
  const nps = report.nps;
  if (!nps || nps.nps == null) return null;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'npsd-h', id: 'nps-detail' },
    h('h2', { id: 'npsd-h', text: tr('dash.npsDetail') }),
    splitBar(
      [
        { label: tr('dash.promoters'), value: nps.pct_promoters, color: COLORS.good },
        { label: tr('dash.passives'), value: nps.pct_passives, color: COLORS.middle },
        { label: tr('dash.detractors'), value: nps.pct_detractors, color: COLORS.bad },
      ],
      tr('dash.splitLabel', {
        p: pct(nps.pct_promoters),
        m: pct(nps.pct_passives),
        d: pct(nps.pct_detractors),
      }),
      chartWidth(),
    ),
    npsGroupsTable(state.lang, nps, { class: 'compact' }),
  );
}

function satisfaction(report) {
  if (!report.satisfaction.length) return null;
  const items = [...report.satisfaction].sort(
    (a, b) => (b.pct_bottom ?? -1) - (a.pct_bottom ?? -1),
  );
  const rel = report.scale?.reliability;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sat-h', id: 'satisfaction' },
    h('h2', { id: 'sat-h', text: tr('sat.title') }),
    h('p', {
      id: 'scale-summary',
      text: tr('dash.scale', {
        index: num(report.scale?.overall_index),
        alpha: num(rel?.alpha, 3),
        n: rel?.n ?? 0,
        k: rel?.items.length ?? 0,
      }),
    }),
    diverging(
      items.map((it) => ({
        label: qTitle(it.question),
        bad: it.pct_bottom ?? 0,
        good: it.pct_top ?? 0,
        middle: Math.max(0, 100 - (it.pct_top ?? 0) - (it.pct_bottom ?? 0)),
      })),
      tr('dash.divergingLabel'),
      chartWidth(),
    ),
    h(
      'p',
      { class: 'legend' },
      legendKey(COLORS.bad, tr('sat.bottom')),
      legendKey(COLORS.middle, tr('dash.neutral')),
      legendKey(COLORS.good, tr('sat.top')),
    ),
    satisfactionTable(state.lang, instrument(), items, tr('dash.satCaption'), {
      class: 'compact stack',
      id: 'sat-table',
    }),
  );
}

const legendKey = (color, label) =>
  h(
    'span',
    { class: 'key' },
    h('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' }),
    label,
  );

/** Every question's frequencies: folded on screen behind one button (the page opens short), all in print. */
function frequencies(report) {
  const n = instrument().questions.length;
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'secondary freq-toggle',
      id: 'freq-toggle',
      'aria-expanded': String(state.freqOpen),
      'aria-controls': 'freq-list',
      onclick: () => {
        state.freqOpen = !state.freqOpen;
        toggle.setAttribute('aria-expanded', String(state.freqOpen));
        toggle.textContent = tr(state.freqOpen ? 'dash.freqHide' : 'dash.freqShow', { n });
        list.classList.toggle('folded', !state.freqOpen);
      },
    },
    tr(state.freqOpen ? 'dash.freqHide' : 'dash.freqShow', { n }),
  );
  const list = h('div', {
    id: 'freq-list',
    class: state.freqOpen ? 'freq-list' : 'freq-list folded',
  });
  const section = h(
    'section',
    { 'aria-labelledby': 'freq-h', id: 'frequencies' },
    h('h2', { id: 'freq-h', text: tr('freq.title') }),
    h('p', { class: 'controls' }, toggle),
    list,
  );
  const barsWidth = chartWidth(wideFreq() ? 1.4 / 2.4 : 1) - (wideFreq() ? 10 : 0);
  for (const q of instrument().questions) {
    const f = report.frequencies.questions[q.id];
    const codes = Object.keys(f.counts);
    list.append(
      h(
        'div',
        { class: 'card freq-card' },
        frequencyTable(state.lang, instrument(), q, f),
        hbars(
          codes.map((code) => ({
            label: optionText(q, code),
            value: f.percent[code],
            count: f.counts[code],
          })),
          tr('dash.barsLabel', { q: qTitle(q.id) }),
          barsWidth,
        ),
      ),
    );
  }
  return section;
}

/** The core's reasons a column is not compared in a row, as SPSS's footnote marks. */
const NOTE_MARK = { proportion_0_or_1: 'a', base_below_2: 'b' };

function crosstabSection() {
  const x = state.view.crosstab;
  const questions = instrument().questions;
  const pick = (id, key) => {
    const sel = h(
      'select',
      {
        id,
        onchange: (e) => {
          state[key] = e.target.value;
          state.by = null;
          refresh();
        },
      },
      questions.map((q) => h('option', { value: q.id, text: qTitle(q.id) })),
    );
    sel.value = state[key];
    return sel;
  };
  const show = h(
    'fieldset',
    { class: 'options-set inline' },
    h('legend', { text: tr('dash.show') }),
    ['count', 'row', 'col'].map((v) => {
      const r = h('input', {
        type: 'radio',
        name: 'show',
        id: `show-${v}`,
        value: v,
        onchange: () => {
          state.show = v;
          render();
          $(`#show-${v}`).focus();
        },
      });
      r.checked = state.show === v;
      return h('label', { class: 'check-option' }, r, ' ', tr(`dash.show.${v}`));
    }),
  );
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'xt-h', id: 'crosstab' },
    h('h2', { id: 'xt-h', text: tr('dash.crosstab') }),
    h(
      'div',
      { class: 'filter-row controls' },
      h(
        'p',
        { class: 'field' },
        h('label', { for: 'xt-row', text: tr('dash.rowQ') }),
        ' ',
        pick('xt-row', 'row'),
      ),
      h(
        'p',
        { class: 'field' },
        h('label', { for: 'xt-col', text: tr('dash.colQ') }),
        ' ',
        pick('xt-col', 'col'),
      ),
      show,
    ),
  );
  if (!x) {
    section.append(h('p', { text: tr('dash.noData') }));
    return section;
  }
  const rq = question(x.row);
  const cq = question(x.col);
  const head = [
    h('th', { scope: 'col', text: `${x.row.toUpperCase()} \\ ${x.col.toUpperCase()}` }),
    ...x.col_codes.map((c, j) =>
      h(
        'th',
        { scope: 'col' },
        optionText(cq, c),
        ' ',
        h('span', { class: 'letter', text: `(${x.col_letters[j]})` }),
      ),
    ),
    h('th', { scope: 'col', text: tr('freq.total') }),
  ];
  const cell = (i, j) => {
    const n = x.counts[i][j];
    const value =
      state.show === 'count'
        ? String(n)
        : pct(state.show === 'row' ? x.row_pct[i][j] : x.col_pct[i][j]);
    const letters = x.letters?.[i]?.[j] ?? '';
    const note = NOTE_MARK[x.letter_notes?.[i]?.[j]];
    return h(
      'td',
      {
        class: 'num',
        style: heat(x.adjusted_residuals?.[i]?.[j])
          ? `background:${heat(x.adjusted_residuals[i][j])}`
          : null,
        'data-count': n,
      },
      value,
      letters ? h('sup', { class: 'letters', text: letters }) : null,
      note ? h('sup', { class: 'note', 'data-note': note, text: note }) : null,
    );
  };
  // SPSS's footnotes to the letters, for the columns left out of a row's comparisons.
  const notes = ['a', 'b'].filter((m) =>
    x.letter_notes?.some((row) => row.some((k) => NOTE_MARK[k] === m)),
  );
  const rows = x.row_codes.map((code, i) =>
    h(
      'tr',
      { 'data-code': code },
      h('th', { scope: 'row', text: optionText(rq, code) }),
      x.col_codes.map((_, j) => cell(i, j)),
      h('td', { class: 'num total', text: x.row_totals[i] }),
    ),
  );
  rows.push(
    h(
      'tr',
      { class: 'total' },
      h('th', { scope: 'row', text: tr('freq.total') }),
      x.col_totals.map((n) => h('td', { class: 'num', text: n })),
      h('td', { class: 'num', text: x.n }),
    ),
  );
  const warn = [];
  if (x.expected_check?.warning)
    warn.push(
      tr('dash.warnExpected', {
        pct: num(x.expected_check.pct_below_5, 1),
        min: num(x.expected_check.min_expected),
      }),
    );
  if (x.small_cols?.length || x.small_rows?.length)
    warn.push(tr('dash.warnSmall', { codes: [...x.small_rows, ...x.small_cols].join(', ') }));
  if (x.dropped_rows?.length || x.dropped_cols?.length)
    warn.push(tr('dash.warnDropped', { codes: [...x.dropped_rows, ...x.dropped_cols].join(', ') }));
  add(
    section,
    table(tr('dash.xtCaption', { row: qTitle(x.row), col: qTitle(x.col) }), head, rows, {
      class: 'xt',
      id: 'xt-table',
    }),
    h(
      'p',
      { id: 'xt-tests' },
      h('span', { id: 'xt-chi2', text: `χ² = ${num(x.chi2, 3)}` }),
      `, df = ${x.df ?? '—'}, `,
      h('span', { id: 'xt-p', text: pText(x.p) }),
      `, Cramér's V = `,
      h('span', { id: 'xt-v', text: num(x.cramers_v, 3) }),
      x.fisher_p != null ? `, Fisher ${pText(x.fisher_p)}` : '',
      `; n = ${x.n}, ${tr('freq.missing')} ${x.missing}`,
    ),
    h('p', { class: 'hint', text: tr('dash.xtHint') }),
    notes.length
      ? h(
          'ul',
          { class: 'hint notes', id: 'xt-notes' },
          notes.map((m) =>
            h('li', { 'data-note': m, text: tr(m === 'a' ? 'dash.noteA' : 'dash.noteB') }),
          ),
        )
      : null,
    warn.length
      ? h(
          'ul',
          { class: 'warnings', id: 'xt-warnings' },
          warn.map((w) => h('li', { text: w })),
        )
      : null,
    h(
      'p',
      { class: 'controls' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'nps-by',
          onclick: () => {
            state.by = state.row;
            refresh();
          },
        },
        tr('dash.npsBy', { q: qTitle(state.row) }),
      ),
    ),
  );
  if (state.view.npsBy) section.append(npsBySection(state.view.npsBy));
  return section;
}

function npsBySection(by) {
  const q = question(by.by);
  const label = (code) => (q ? optionText(q, code) : code);
  const segs = by.segments;
  return h(
    'div',
    { id: 'nps-by-view' },
    h('h3', { id: 'npsby-h', text: tr('dash.npsByTitle', { q: q ? qTitle(by.by) : by.by }) }),
    intervals(
      segs.map((s) => ({
        label: label(s.option),
        value: s.nps,
        lo: s.adjusted?.ci95[0],
        hi: s.adjusted?.ci95[1],
      })),
      tr('dash.intervalsLabel', { q: q ? qTitle(by.by) : by.by }),
      chartWidth(),
    ),
    table(
      tr('dash.npsByTitle', { q: q ? qTitle(by.by) : by.by }),
      [tr('dash.segment'), 'n', 'NPS', tr('dash.ci')],
      segs.map((s) =>
        h(
          'tr',
          { 'data-option': s.option },
          h('th', { scope: 'row', text: label(s.option) }),
          h('td', { class: 'num', text: s.n }),
          h('td', { class: 'num', text: num(s.nps) }),
          h('td', {
            class: 'num',
            text: s.adjusted
              ? `${num(clampNps(s.adjusted.ci95[0]))} – ${num(clampNps(s.adjusted.ci95[1]))}`
              : '—',
          }),
        ),
      ),
      { class: 'compact stack', id: 'npsby-table' },
    ),
  );
}

function followUpSection() {
  const f = state.view.followUp;
  const codes = state.view.followCodes;
  const qs = instrument().questions;
  const rules = instrument().follow_up ?? [];
  const ruleLabel = (id) => textOf(rules.find((r) => r.id === id)?.label) || id;
  const answers = (k) =>
    qs
      .map((q, j) => {
        return codeMark(q, codes[k * qs.length + j]);
      })
      .join(' ');
  const pages = Math.max(1, Math.ceil(f.items.length / FOLLOW_PAGE));
  state.fuPage = Math.min(state.fuPage, pages - 1);
  const rows = f.items.map((it, k) =>
    h(
      'tr',
      {
        'data-id': it.id,
        'data-flags': it.flags.join(' '),
        class: Math.floor(k / FOLLOW_PAGE) === state.fuPage ? null : 'off-page',
      },
      h('th', { scope: 'row', text: it.id }),
      h('td', { class: 'num', text: it.score }),
      h('td', { text: it.flags.map(ruleLabel).join(state.lang === 'en' ? '; ' : '；') || '—' }),
      h('td', { class: 'answers', text: answers(k) }),
    ),
  );
  // The list on screen, a page at a time; the print has every row.
  const turn = (step) => {
    state.fuPage = Math.max(0, Math.min(pages - 1, state.fuPage + step));
    rows.forEach((row, k) =>
      row.classList.toggle('off-page', Math.floor(k / FOLLOW_PAGE) !== state.fuPage),
    );
    showPage();
  };
  const where = h('span', { id: 'fu-page', role: 'status', 'aria-live': 'polite' });
  const prev = h(
    'button',
    { type: 'button', class: 'secondary', id: 'fu-prev', onclick: () => turn(-1) },
    tr('dash.fuPrev'),
  );
  const next = h(
    'button',
    { type: 'button', class: 'secondary', id: 'fu-next', onclick: () => turn(1) },
    tr('dash.fuNext'),
  );
  const showPage = () => {
    const from = state.fuPage * FOLLOW_PAGE;
    where.textContent = tr('dash.fuPage', {
      from: from + 1,
      to: Math.min(f.items.length, from + FOLLOW_PAGE),
      n: f.items.length,
    });
    prev.disabled = state.fuPage === 0;
    next.disabled = state.fuPage >= pages - 1;
  };
  showPage();
  const list = h(
    'section',
    { class: 'card', 'aria-labelledby': 'fu-h', id: 'follow-up' },
    h('h2', { id: 'fu-h', text: tr('dash.followUp') }),
    h('p', { id: 'fu-summary', text: tr('dash.fuSummary', { n: f.count, flagged: f.flagged }) }),
    h(
      'ul',
      { class: 'flags' },
      rules.map((r) =>
        h(
          'li',
          { 'data-flag': r.id },
          `${textOf(r.label)}: `,
          h('strong', { text: String(f.by_flag[r.id] ?? 0) }),
        ),
      ),
    ),
    f.count > f.items.length
      ? h('p', { class: 'hint', text: tr('dash.fuShown', { shown: f.items.length, n: f.count }) })
      : null,
    h(
      'p',
      { class: 'controls' },
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'fu-export', onclick: exportFollowUp },
        tr('dash.fuExport'),
      ),
    ),
    f.items.length
      ? table(
          tr('dash.fuCaption', { shown: f.items.length }),
          [
            'ID',
            (instrument().nps ?? '').toUpperCase(),
            tr('dash.flags'),
            tr('dash.answers', {
              first: instrument().questions[0].id.toUpperCase(),
              last: instrument().questions.at(-1).id.toUpperCase(),
            }),
          ],
          rows,
          { class: 'compact stack', id: 'fu-table' },
        )
      : null,
    pages > 1
      ? h('nav', { class: 'pager', 'aria-label': tr('dash.fuPager') }, prev, where, next)
      : null,
  );
  // The follow-up cases (cases.js): what is being done about each flagged customer.
  const both = document.createDocumentFragment();
  both.append(
    ...[
      list,
      casesSection({ lang: state.lang, filter: state.filter, source: state.source }),
    ].filter(Boolean),
  );
  return both;
}

async function exportFollowUp() {
  try {
    const file = await ask('dash.exportFollowUp', {
      filter: state.filter,
      lang: state.lang,
      day: localDay(),
    });
    saveFile(file);
    $('#dash-status').textContent = tr('export.done', { name: file.name });
  } catch (error) {
    $('#dash-status').textContent = tr('dash.viewFailed', {
      what: String(error?.message ?? error),
    });
  }
}

/** The printed report's head: what data, under which filters, printed when. */
function printHead() {
  const src = state.source;
  const name =
    src.file && src.file !== src.name
      ? state.lang === 'en'
        ? `${sourceName()} (${src.file})`
        : `${sourceName()}（${src.file}）`
      : sourceName();
  const date = new Date().toLocaleDateString(state.lang === 'en' ? 'en-CA' : 'zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return h('p', {
    class: 'print-only',
    id: 'print-head',
    text: tr('dash.printHead', {
      name,
      filters: filterSummary(),
      date,
      n: state.view.n,
      total: state.view.total,
    }),
  });
}

const filtered = () => {
  const f = state.filter;
  return (
    Object.keys(f.answers).length > 0 || Object.keys(f.columns).length > 0 || !!f.from || !!f.to
  );
};

/** The first screen: the print head and the key figures of the view shown. */
function drawTop() {
  $('#top').replaceChildren(printHead(), keyFigures(state.view.report));
}

let drawnAt = 0;
function render() {
  const v = state.view;
  if (!v) return;
  drawnAt = $('#board').clientWidth;
  drawTop();
  const board = $('#board');
  if (!v.report) {
    // No responses at all, or none under the filters: two different things to say.
    board.replaceChildren(
      h(
        'section',
        { class: 'card' },
        h('p', {
          id: 'dash-empty',
          text: tr(v.total === 0 ? 'dash.empty' : filtered() ? 'dash.noData' : 'dash.empty'),
        }),
      ),
    );
    return;
  }
  // A control that redraws the board (a cross-tab question, NPS by) keeps the keyboard's place.
  const focused = board.contains(document.activeElement) ? document.activeElement.id : '';
  board.replaceChildren(
    ...[
      trendSection(),
      driversSection(),
      npsDetail(v.report),
      satisfaction(v.report),
      crosstabSection(),
      followUpSection(),
      frequencies(v.report),
    ].filter(Boolean),
  );
  if (focused && document.activeElement === document.body)
    document.getElementById(focused)?.focus();
  hintWideTables();
}

/** A table wider than the screen scrolls inside its region: says so above it, so the columns off screen are not missed. */
function hintWideTables() {
  for (const region of document.querySelectorAll('#board .scroll')) {
    const wide = region.scrollWidth > region.clientWidth + 1;
    const hint = region.previousElementSibling?.classList.contains('scroll-hint')
      ? region.previousElementSibling
      : null;
    if (wide && !hint)
      region.before(h('p', { class: 'hint scroll-hint', text: tr('dash.scrollHint') }));
    if (!wide && hint) hint.remove();
  }
}

// Printing draws the charts again at their printed width, and back after.
const redrawFor = (on) => {
  printing = on;
  if (state.view) render();
};
addEventListener('beforeprint', () => redrawFor(true));
addEventListener('afterprint', () => redrawFor(false));
printMedia.addEventListener('change', () => redrawFor(printMedia.matches));

// The cases' counts arrive after the view (cases.js asks the worker): the first screen shows them then.
document.addEventListener('cases:counts', () => {
  if (state.view && state.source) drawTop();
});

// The charts are drawn at the width they are shown at: again when that width changes.
let resizing;
addEventListener('resize', () => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    if (state.view && $('#board').clientWidth !== drawnAt) render();
  }, 150);
});

function renderTexts() {
  translatePage(state.lang);
  labelLangButton(state.lang);
  document.title = tr('dash.title');
}

$('#lang').addEventListener('click', () => {
  state.lang = state.lang === 'en' ? 'zh-CN' : 'en';
  saveLang(state.lang);
  renderTexts();
  if (state.source) renderFilters();
  if (state.failure) renderFailure();
  else render();
  if (state.view && state.source) $('#dash-status').textContent = updatedText();
});
$('#print').addEventListener('click', () => print());
$('#src-store').addEventListener('click', () => fromStore());
$('#dash-set').addEventListener('change', (e) =>
  fromStore(/** @type {HTMLSelectElement} */ (e.target).value),
);
$('#src-demo').addEventListener('click', fromDemo);
$('#src-file').addEventListener('change', (e) => {
  const file = /** @type {HTMLInputElement} */ (e.target).files?.[0];
  if (file)
    open(file.name, async () => ({
      source: 'file',
      name: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    }));
  /** @type {HTMLInputElement} */ (e.target).value = '';
});
$('#filter-question').addEventListener('change', renderOptionBoxes);
for (const [id, key] of [
  ['#filter-from', 'from'],
  ['#filter-to', 'to'],
]) {
  $(id).addEventListener('change', (e) => {
    state.filter[key] = /** @type {HTMLInputElement} */ (e.target).value || null;
    scheduleRefresh();
  });
}
$('#filter-clear').addEventListener('click', () => {
  state.filter = { answers: {}, columns: {}, from: null, to: null };
  /** @type {HTMLInputElement} */ ($('#filter-from')).value = '';
  /** @type {HTMLInputElement} */ ($('#filter-to')).value = '';
  if (state.source) renderFilters();
  refresh();
});

catchFailures(
  () => $('#dash-status'),
  (what) => tr('app.failed', { what }),
);
renderTexts();
const params = new URLSearchParams(location.search);
if (params.has('demo')) fromDemo();
else fromStore();
offline(true);

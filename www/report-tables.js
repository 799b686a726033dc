// The report's tables, one builder each, for the main page's report and the
// analyst dashboard alike (issue 20: both built the same frequency, NPS-group
// and satisfaction tables, each its own copy). The figures come from the core;
// this lays them out, names the questions and options in the page's language,
// and wraps each table so that a wide one scrolls inside itself, never the page.
import { t } from './i18n.js';
import { h } from './dom.js';
import { pct, SAT_COLUMNS, satisfactionCells } from './present.js';

/** @typedef {'zh-CN' | 'en'} Lang */

/** A text of the instrument ({'zh-CN': …, en: …}) in `lang`, Chinese where it has no translation. */
export const textOf = (/** @type {Lang} */ lang, text) => text?.[lang] ?? text?.['zh-CN'] ?? '';

/** "Q14 您对…满意吗？": a question's id and its text. */
export function questionTitle(/** @type {Lang} */ lang, instrument, /** @type {string} */ id) {
  const q = instrument.questions.find((q) => q.id === id);
  return `${id.toUpperCase()} ${q ? textOf(lang, q.text) : ''}`;
}

/** "3 一般": a single-choice question's code and its option's label (the code alone otherwise). */
export function optionLabel(/** @type {Lang} */ lang, question, code) {
  if (question?.kind !== 'single') return String(code);
  const o = question.options.find((o) => o.code === code);
  return o ? `${code} ${textOf(lang, o.label)}` : String(code);
}

/**
 * A table with a caption, in a keyboard-scrollable region. The head's cells
 * are texts or ready <th> nodes; a text's header is aligned as its column's
 * first cell (to the right over figures).
 * Each data cell carries its column's name (data-label): a table of class
 * "stack" becomes one card per row on a narrow screen (dashboard.css), each
 * value named.
 */
export function table(/** @type {string} */ caption, head, rows, attrs = {}) {
  const names = head.map((c) => (c instanceof Node ? c.textContent : c));
  for (const row of rows) {
    [...row.children].forEach(
      (cell, k) => cell.tagName === 'TD' && names[k] && cell.setAttribute('data-label', names[k]),
    );
  }
  // A column of figures has its header aligned with them (to the right).
  const numeric = (i) => rows[0]?.children[i]?.classList.contains('num');
  const th = (c, i) =>
    c instanceof Node ? c : h('th', { scope: 'col', class: numeric(i) ? 'num' : null, text: c });
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: 0, 'aria-label': caption },
    h(
      'table',
      attrs,
      h('caption', { text: caption }),
      h('thead', {}, h('tr', {}, head.map(th))),
      h('tbody', {}, rows),
    ),
  );
}

/** One question's frequency table: a row per option, then the valid total and the missing. */
export function frequencyTable(/** @type {Lang} */ lang, instrument, question, f) {
  const tr = (key) => t(lang, key);
  const row = (cls, label, count, percent) =>
    h(
      'tr',
      cls,
      h('th', { scope: 'row', text: label }),
      h('td', { class: 'num count', text: count }),
      percent === undefined ? h('td', {}) : h('td', { class: 'num pct', text: pct(percent) }),
    );
  const rows = Object.keys(f.counts).map((code) =>
    row({ 'data-code': code }, optionLabel(lang, question, code), f.counts[code], f.percent[code]),
  );
  rows.push(
    row({ class: 'total' }, tr('freq.total'), f.valid, f.valid ? 100 : null),
    row({ class: 'missing' }, tr('freq.missing'), f.missing, undefined),
  );
  return table(
    questionTitle(lang, instrument, question.id),
    [tr('freq.option'), tr('freq.count'), tr('freq.percent')],
    rows,
    { 'data-question': question.id, class: 'freq' },
  );
}

/** The NPS's three groups: count and percentage each, its colour's dot beside its name. */
export function npsGroupsTable(/** @type {Lang} */ lang, nps, attrs = {}) {
  const tr = (key) => t(lang, key);
  const groups = [
    ['promoters', nps.promoters, nps.pct_promoters],
    ['passives', nps.passives, nps.pct_passives],
    ['detractors', nps.detractors, nps.pct_detractors],
  ];
  return table(
    tr('nps.groups'),
    [tr('nps.group'), tr('freq.count'), tr('freq.percent')],
    groups.map(([g, count, p]) =>
      h(
        'tr',
        { 'data-group': g },
        h(
          'th',
          { scope: 'row' },
          h('span', { class: `dot ${g}`, 'aria-hidden': 'true' }),
          tr(`nps.${g}`),
        ),
        h('td', { class: 'num count', text: count }),
        h('td', { class: 'num pct', text: pct(p) }),
      ),
    ),
    { id: 'nps-groups', ...attrs },
  );
}

/** The number of options of the satisfaction items (the mean runs 1 … k), or 'k' when they differ. */
export const satisfactionPoints = (items) =>
  new Set(items.map((s) => s.points)).size === 1 ? items[0].points : 'k';

/**
 * The satisfaction items, one row each in the order given, with SAT_COLUMNS'
 * cells. The mean's header names its range 1 … k, k the items' number of
 * options ('k' where they differ).
 */
export function satisfactionTable(
  /** @type {Lang} */ lang,
  instrument,
  items,
  caption,
  attrs = {},
) {
  const k = satisfactionPoints(items);
  return table(
    caption,
    [t(lang, 'sat.item'), ...SAT_COLUMNS.map((key) => t(lang, key, { k }))],
    items.map((s) =>
      h(
        'tr',
        { 'data-question': s.question },
        h('th', { scope: 'row', text: questionTitle(lang, instrument, s.question) }),
        satisfactionCells(s).map((text) => h('td', { class: 'num', text })),
      ),
    ),
    attrs,
  );
}

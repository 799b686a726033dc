// The dashboard's follow-up cases (issue 17, closing the loop): each flagged
// customer's case with why it was flagged, where it stands, who holds it, when
// it is due and — only where the customer consented — how to call them back;
// a small form per case to record a call, a resolution, a holder, a note or a
// due date; the figures; the cases CSV; and conflicts from two devices, shown
// side by side for a person to choose. Every rule (who is flagged, which
// changes are allowed, due dates, figures, merging) is the core's
// (src/core/cases/), asked through the worker; this file draws what it is handed
// and sends what a person chose.
import { localDay, problemText, t } from './i18n.js';
import './texts.js';
import { h, saveFile } from './dom.js';
import { ask } from './worker-bridge.js';
import { num, pct } from './present.js';

/** Cases listed at first, and added by "show more". */
const STEP = 10;
/** Cases the worker hands over (the export has all). */
const LIMIT = 200;

/** The last view and what it was asked for; the open/overdue counts for the key figures. */
const mine = { key: '', view: null, shown: STEP, ctx: null, loading: null };

/** Today's date where the branch is, YYYY-MM-DD. */
export const today = () => localDay();

/** Open and overdue cases of the last view ({open, overdue}), or null before one is loaded: for the dashboard's key figures. */
export function caseCounts() {
  const f = mine.view?.figures;
  return f ? { open: f.open, overdue: f.overdue } : null;
}

/** A random event id: 16 lowercase hex digits. */
function eventId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

const keyOf = (ctx) =>
  JSON.stringify([ctx.source?.fingerprint ?? null, ctx.filter, ctx.lang, today()]);

/**
 * The follow-up cases section for the dashboard's data under its filter
 * (`ctx`: {lang, filter, source}); drawn from the last view when it is still
 * current, else filled in when the worker answers. Only the device's own data
 * has cases: for a file or the demo there is no section (null).
 */
export function casesSection(ctx) {
  mine.ctx = ctx;
  if (!ctx.source?.fingerprint) {
    mine.key = '';
    mine.view = null;
    return null;
  }
  const tr = (key, vars) => t(ctx.lang, key, vars);
  const section = h(
    'section',
    { class: 'card', id: 'cases', 'aria-labelledby': 'cases-h' },
    h('h2', { id: 'cases-h', text: tr('cases.title') }),
  );
  const key = keyOf(ctx);
  if (mine.key === key && mine.view) fill(section);
  else {
    section.append(h('p', { class: 'hint', text: tr('cases.loading') }));
    load(key).then(() => {
      if (section.isConnected) fill(section);
    });
  }
  return section;
}

/** Asks the worker for the cases under the current filter. */
async function load(key = keyOf(mine.ctx)) {
  const ctx = mine.ctx;
  try {
    const view = await ask('cases.view', {
      filter: ctx.filter,
      today: today(),
      lang: ctx.lang,
      limit: LIMIT,
    });
    if (key !== keyOf(mine.ctx)) return; // the filter changed meanwhile: the newer request draws
    mine.key = key;
    mine.view = view;
    mine.error = null;
  } catch (error) {
    mine.view = null;
    mine.error = error;
  }
  document.dispatchEvent(new CustomEvent('cases:counts', { detail: caseCounts() }));
}

/** Reloads the cases and draws them again in place (after a change). */
async function reload(message) {
  await load();
  const section = document.querySelector('#cases');
  if (section) fill(/** @type {HTMLElement} */ (section), message);
}

/** Draws the view into the section. */
function fill(section, message = '') {
  const ctx = mine.ctx;
  const tr = (key, vars) => t(ctx.lang, key, vars);
  const view = mine.view;
  const title = section.querySelector('h2');
  section.replaceChildren(title);
  const live = h('p', { id: 'cases-status', role: 'status', 'aria-live': 'polite', text: message });
  if (!view) {
    section.append(
      h('p', {
        class: 'error',
        role: 'alert',
        text: tr('cases.failed', { what: String(mine.error?.message ?? '') }),
      }),
      live,
    );
    return;
  }
  const who = h('input', {
    id: 'case-who',
    name: 'who',
    autocomplete: 'name',
    value: globalThis.localStorage?.getItem('manyi.operator') ?? '',
  });
  who.addEventListener('change', () => {
    try {
      localStorage.setItem('manyi.operator', who.value.trim());
    } catch {
      /* private mode: asked again next time */
    }
  });
  const contacts = h('input', { type: 'checkbox', id: 'case-contacts' });
  section.append(
    h('p', {
      class: 'hint',
      id: 'cases-summary',
      text: tr('cases.summary', {
        n: view.count,
        open: view.figures.open,
        overdue: view.figures.overdue,
      }),
    }),
    figures(view, tr),
    // (append writes a null out as the text "null": an empty string instead.)
    view.conflicts.length
      ? h('p', {
          class: 'error',
          id: 'cases-conflicts',
          role: 'alert',
          text: tr('cases.conflicts', { n: view.conflicts.length }),
        })
      : '',
    h('div', { class: 'field' }, h('label', { for: 'case-who', text: tr('cases.who') }), who),
    h(
      'p',
      { class: 'controls case-export' },
      h('label', { class: 'choice' }, contacts, tr('cases.withContacts')),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'case-export',
          onclick: () => exportCases(contacts.checked),
        },
        tr('cases.export'),
      ),
    ),
    live,
  );
  if (!view.cases.length) {
    section.append(h('p', { id: 'cases-empty', text: tr('cases.empty') }));
    return;
  }
  const shown = Math.min(mine.shown, view.cases.length);
  section.append(
    h(
      'ol',
      { class: 'cases', id: 'case-list' },
      view.cases.slice(0, shown).map((c) => card(c, tr)),
    ),
  );
  if (view.count > view.cases.length)
    section.append(
      h('p', {
        class: 'hint',
        text: tr('cases.shownOf', { shown: view.cases.length, n: view.count }),
      }),
    );
  if (shown < view.cases.length) {
    section.append(
      h(
        'p',
        { class: 'controls' },
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            id: 'cases-more',
            onclick: () => ((mine.shown += STEP), fill(section)),
          },
          tr('cases.more', { n: Math.min(STEP, view.cases.length - shown) }),
        ),
      ),
    );
  }
}

const days = (x) => num(x, 1);

/** The figures in all and per holder, as a key-figure list and a table. */
function figures(view, tr) {
  const f = view.figures;
  const item = (key, value, label) =>
    h(
      'div',
      { class: 'kpi', 'data-figure': key },
      h('dt', { text: label }),
      h('dd', { class: 'kpi-value', text: String(value) }),
    );
  const list = h(
    'dl',
    { class: 'kpi-row', id: 'cases-figures' },
    item('opened', f.opened, tr('cases.opened')),
    item('overdue', f.overdue, tr('cases.overdueN')),
    item('within', pct(f.closed_within_due_pct), tr('cases.within')),
    item('median', days(f.median_days_to_close), tr('cases.median')),
  );
  if (!view.by_holder.length) return list;
  const rows = view.by_holder.map((b) =>
    h(
      'tr',
      { 'data-holder': b.holder ?? '' },
      h('th', { scope: 'row', text: b.holder ?? tr('cases.unheld') }),
      ...[
        b.open,
        b.overdue,
        b.closed,
        pct(b.closed_within_due_pct),
        days(b.median_days_to_close),
      ].map((v, i) => h('td', { class: 'num', 'data-label': HOLDER_COLS[i], text: String(v) })),
    ),
  );
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', text: tr('cases.holder') }),
    ...HOLDER_COLS.map((k) => h('th', { scope: 'col', text: tr(k) })),
  );
  // data-label carries the column's name for the card layout on a phone.
  for (const row of rows)
    for (const td of row.querySelectorAll('td')) td.dataset.label = tr(td.dataset.label);
  return h(
    'div',
    {},
    list,
    h(
      'div',
      { class: 'scroll', role: 'region', tabindex: '0', 'aria-labelledby': 'cases-holders-cap' },
      h(
        'table',
        { class: 'compact stack', id: 'cases-holders' },
        h('caption', { id: 'cases-holders-cap', text: tr('cases.byHolder') }),
        h('thead', {}, head),
        h('tbody', {}, rows),
      ),
    ),
  );
}
const HOLDER_COLS = [
  'cases.open',
  'cases.overdueN',
  'cases.closed',
  'cases.within',
  'cases.median',
];

/** One case: what, why, where it stands, whom to call, and its change form. */
function card(c, tr) {
  const status = tr(`cases.status.${c.status}`);
  const item = (label, value, cls) => [
    h('dt', { text: label }),
    h('dd', { class: cls, text: value }),
  ];
  const due = c.due
    ? c.overdue
      ? tr('cases.dueOverdue', { date: c.due })
      : c.due
    : tr('cases.noDue');
  const contact = c.contact ? `${c.contact.name} ${c.contact.phone}` : null;
  return h(
    'li',
    {
      class: `case${c.overdue ? ' overdue' : ''}`,
      'data-id': c.id,
      'data-status': c.status,
      'data-head': c.head ?? '',
    },
    h(
      'h3',
      { class: 'case-id' },
      h('span', { text: c.id }),
      ' ',
      h('span', {
        class: 'case-score',
        text: c.score == null ? '' : tr('cases.score', { score: c.score }),
      }),
    ),
    h(
      'dl',
      { class: 'case-facts' },
      item(tr('cases.reasons'), c.reasons.join(ctxJoin()) || '—', 'case-reasons'),
      item(tr('cases.statusLabel'), status, 'case-status'),
      item(tr('cases.holder'), c.holder ?? tr('cases.unheld'), 'case-holder'),
      item(tr('cases.due'), due, `case-due${c.overdue ? ' overdue' : ''}`),
      c.closed_at ? item(tr('cases.closedAt'), c.closed_at.slice(0, 10), 'case-closed') : null,
      contact ? item(tr('cases.contact'), contact, 'case-contact') : null,
    ),
    c.notes.length
      ? h(
          'ul',
          { class: 'case-notes', 'aria-label': tr('cases.notes') },
          c.notes.map((n) =>
            h('li', {
              text: `${n.at.slice(0, 16).replace('T', ' ')} ${tr('cases.noteBy', { who: n.who, text: n.text })}`,
            }),
          ),
        )
      : null,
    c.conflict.length ? conflict(c, tr) : null,
    changeForm(c, tr),
  );
}

const ctxJoin = () => (mine.ctx.lang === 'en' ? '; ' : '；');

/** Two changes made apart on two devices: both shown, one kept by a person. */
function conflict(c, tr) {
  const heads = c.conflict.map((id) => c.history.find((e) => e.id === id)).filter(Boolean);
  return h(
    'div',
    { class: 'case-conflict', role: 'group', 'aria-label': tr('cases.conflictOf', { id: c.id }) },
    h('p', { class: 'error', text: tr('cases.conflict') }),
    h(
      'ul',
      {},
      heads.map((e) =>
        h(
          'li',
          { 'data-head': e.id },
          h('span', {
            text:
              tr('cases.headText', {
                status: tr(`cases.status.${e.status}`),
                holder: e.holder ?? tr('cases.unheld'),
                who: e.who,
                at: e.at.slice(0, 16).replace('T', ' '),
              }) + (e.note ? ` — ${e.note}` : ''),
          }),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-keep': e.id,
              onclick: (ev) => send(c, { parent: e.id }, ev.currentTarget, tr),
            },
            tr('cases.keep'),
          ),
        ),
      ),
    ),
  );
}

/**
 * What is typed in each open change form (case id → field values), kept while
 * the form is open so that a redraw (a language switch, a filter) does not lose
 * a half-typed note; dropped when the form is closed or the change saved.
 */
const typed = new Map();

/** The change form of a case, built when it is first opened. */
function changeForm(c, tr) {
  const details = h(
    'details',
    { class: 'case-change' },
    h('summary', { text: tr('cases.change') }),
  );
  const build = () => {
    if (details.querySelector('form')) return;
    const at = (name) => `case-${name}-${c.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const status = h(
      'select',
      { id: at('status'), name: 'status' },
      h('option', {
        value: '',
        text: tr('cases.keepStatus', { status: tr(`cases.status.${c.status}`) }),
      }),
      c.next.map((s) =>
        h('option', { value: s, text: tr(s === c.status ? 'cases.again' : `cases.to.${s}`) }),
      ),
    );
    const holder = h('input', {
      id: at('holder'),
      name: 'holder',
      value: c.holder ?? '',
      autocomplete: 'off',
    });
    const due = h('input', { id: at('due'), name: 'due', type: 'date', value: c.due ?? '' });
    const note = h('textarea', { id: at('note'), name: 'note', rows: '2' });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'case-form', novalidate: true },
      h(
        'div',
        { class: 'field' },
        h('label', { for: at('status'), text: tr('cases.newStatus') }),
        status,
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { for: at('holder'), text: tr('cases.holder') }),
        holder,
      ),
      h('div', { class: 'field' }, h('label', { for: at('due'), text: tr('cases.due') }), due),
      h('div', { class: 'field' }, h('label', { for: at('note'), text: tr('cases.note') }), note),
      error,
      h('p', { class: 'controls' }, h('button', { type: 'submit' }, tr('cases.save'))),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const change = { parent: c.head };
      if (status.value) change.status = status.value;
      if (holder.value.trim() !== (c.holder ?? '')) change.holder = holder.value.trim();
      if (due.value !== (c.due ?? '')) change.due = due.value;
      if (note.value.trim()) change.note = note.value.trim();
      send(c, change, form.querySelector('button[type="submit"]'), tr, error);
    });
    details.append(form, history(c, tr));
    const fields = { status, holder, due, note };
    const kept = typed.get(c.id);
    if (kept) for (const [name, value] of Object.entries(kept)) fields[name].value = value;
    const keep = () =>
      typed.set(c.id, Object.fromEntries(Object.entries(fields).map(([k, el]) => [k, el.value])));
    form.addEventListener('input', keep);
    form.addEventListener('change', keep);
    if (!kept) status.focus();
  };
  details.addEventListener('toggle', () => {
    if (details.open) build();
    else typed.delete(c.id);
  });
  // Drawn again while something was being typed in it: open, as it was.
  if (typed.has(c.id)) {
    details.open = true;
    build();
  }
  return details;
}

/** Every change of the case, oldest first: its audit trail. */
function history(c, tr) {
  if (!c.history.length) return h('p', { class: 'hint', text: tr('cases.noHistory') });
  return h(
    'ol',
    { class: 'case-history', 'aria-label': tr('cases.history') },
    c.history.map((e) =>
      h('li', {
        text:
          tr('cases.headText', {
            status: tr(`cases.status.${e.status}`),
            holder: e.holder ?? tr('cases.unheld'),
            who: e.who,
            at: e.at.slice(0, 16).replace('T', ' '),
          }) + (e.note ? ` — ${e.note}` : ''),
      }),
    ),
  );
}

/** Sends a change to the core through the worker; the view is drawn again from what is stored. */
async function send(c, change, button, tr, errorBox = null) {
  const whoInput = /** @type {HTMLInputElement | null} */ (document.querySelector('#case-who'));
  const who = whoInput?.value.trim() ?? '';
  const fail = (text) => {
    const box = errorBox ?? document.querySelector('#cases-status');
    if (box) box.textContent = text;
  };
  if (!who) {
    fail(tr('cases.needWho'));
    whoInput?.focus();
    return;
  }
  button.disabled = true;
  try {
    const event = await ask('cases.change', {
      change: { id: eventId(), case: c.id, at: new Date().toISOString(), who, ...change },
    });
    typed.delete(c.id);
    await reload(tr('cases.saved', { id: c.id, status: tr(`cases.status.${event.status}`) }));
    // Back to where the person was: the case's change button.
    const again = document.querySelector(`#case-list li[data-id="${CSS.escape(c.id)}"] summary`);
    /** @type {HTMLElement | null} */ (again)?.focus();
  } catch (error) {
    const problems = Array.isArray(error?.problems) ? error.problems : [];
    fail(
      problems.length
        ? problems.map((p) => `${p.field ?? ''} ${problemText(mine.ctx.lang, p)}`.trim()).join('；')
        : String(error?.message ?? error),
    );
    button.disabled = false;
  }
}

/** Every case under the filter as a CSV (contacts only when ticked). */
async function exportCases(withContacts) {
  const ctx = mine.ctx;
  const live = document.querySelector('#cases-status');
  try {
    const file = await ask('cases.export', {
      filter: ctx.filter,
      today: today(),
      lang: ctx.lang,
      contacts: withContacts,
    });
    saveFile(file);
    if (live) live.textContent = t(ctx.lang, 'export.done', { name: file.name });
  } catch (error) {
    if (live)
      live.textContent = t(ctx.lang, 'cases.failed', { what: String(error?.message ?? error) });
  }
}

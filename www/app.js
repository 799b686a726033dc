// The report page: load a CSV (or the demo data), ask the core for the report,
// show it. Every number comes from the core, in the worker (files are read off
// the main thread); this file only lays them out.
import { ask } from './worker-bridge.js';
import {
  initialLang,
  localDay,
  problemText,
  saveLang,
  sentence as asSentence,
  t,
  translatePage,
} from './i18n.js';
import './texts.js';
import { $, catchFailures, h, labelLangButton, saveFile } from './dom.js';
import { clampNps, num } from './present.js';
import {
  frequencyTable,
  npsGroupsTable,
  optionLabel as optionLabelIn,
  questionTitle as questionTitleIn,
  satisfactionPoints,
  satisfactionTable,
  table,
  textOf as textIn,
} from './report-tables.js';
import { setOptions } from './sets.js';
import { staffGate } from './lock.js';
import { setKiosk } from './db.js';
import { loadInstrument } from './instrument.js';
import {
  changePassphrase,
  checkPassphrase,
  decryptBackup,
  encryptBackup,
  isEncryptedBackup,
  readSealedBackup,
  lock,
  Refused,
} from './vault.js';
import { offline } from './offline.js';

// Nothing of this screen shows before the staff passphrase.
await staffGate();

const DEMO_URL = 'demo/zg-x-branch-2023.csv';

const state = {
  /** @type {'zh-CN' | 'en'} */
  lang: initialLang(),
  /** @type {null | {name: string, nameKey?: string | null, report: any, instrument: any}} */
  view: null,
  /** @type {null | {name: string, nameKey?: string | null, error: any}} */
  failure: null,
  /** @type {null | {key: string, vars: object}} */
  status: null,
  /** The questionnaire of the device's data that the report and exports use (its fingerprint). */
  fingerprint: null,
  /** The device's questionnaires and anything it could not read (the core's summary). */
  summary: { sets: [], quarantine: [] },
};

const tr = (key, vars) => t(state.lang, key, vars);
const textOf = (text) => textIn(state.lang, text);

const questionTitle = (instrument, id) => questionTitleIn(state.lang, instrument, id);
const optionLabel = (question, code) => optionLabelIn(state.lang, question, code);

/** A title run into a sentence ("…亲友？：" would double the marks): without its closing punctuation. */
const bare = (title) => title.replace(/[？?！!。.：:；;，,、\s]+$/u, '');

/** A status line: in English, a sentence starts with a capital ("this device’s data…" does not). */
const sentence = (text) => asSentence(state.lang, text);

/**
 * What restoring does with a backup's branch key (the core's KeyRestore), in
 * the preview's or the result's words; nothing when it brings none or the same.
 */
const keyNote = (key, where) => {
  const texts = {
    preview: { kept: 'preview.keyKept', restored: 'preview.keyRestored' },
    import: { kept: 'import.keyKept', restored: 'import.keyRestored' },
  }[where];
  return key?.kind in texts ? tr(texts[key.kind], key) : '';
};
/** Ids listed in the reader's language's brackets, or nothing. */
const keptIds = (ids = []) => (ids.length ? tr('import.keptIds', { ids: ids.join(', ') }) : '');
/** A backup's forms keyed once, as the preview and the result name them. */
const waitingVars = (w) => ({
  waitingAdded: w.added,
  waitingSame: w.same,
  waitingCounted: w.counted,
  waitingKept: w.kept.length,
});
/** A status's variables, names given by key (the demo's, the device's) in the current language. */
const varsOf = (vars = {}) => ({
  ...vars,
  keyNote: keyNote(vars.key, 'import'),
  ...(vars.nameKey ? { name: tr(vars.nameKey) } : {}),
  ...(vars.keptList ? { keptIds: keptIds(vars.keptList) } : {}),
});

function npsSection(report, instrument) {
  const n = report.nps;
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'nps-h' },
    h('h3', { id: 'nps-h', text: tr('nps.title') }),
  );
  section.append(
    ...[
      h('p', { class: 'headline' }, h('span', { id: 'nps-value', class: 'big', text: num(n.nps) })),
      h('p', {
        class: 'sub',
        text:
          n.nps == null
            ? tr('nps.none')
            : tr('nps.of', {
                q: bare(questionTitle(instrument, n.question)),
                n: n.n,
                missing: n.missing,
              }),
      }),
      // The adjusted-Wald interval (the core's `adjusted`); Wald's stays in the JSON.
      n.adjusted
        ? h('p', {
            id: 'nps-ci',
            text: tr('nps.ci', {
              lo: num(clampNps(n.adjusted.ci95[0])),
              hi: num(clampNps(n.adjusted.ci95[1])),
              moe: n.adjusted.moe95.toFixed(2),
            }),
          })
        : null,
      n.small && n.n > 0 ? h('p', { class: 'warn', text: tr('nps.small') }) : null,
    ].filter(Boolean),
  ); // Element.append writes null as the text "null".
  section.append(
    h(
      'div',
      { class: 'split', 'aria-hidden': 'true' },
      ['promoters', 'passives', 'detractors'].map((g) =>
        h('span', { class: `seg ${g}`, style: `flex-grow: ${n[`pct_${g}`] ?? 0}` }),
      ),
    ),
    npsGroupsTable(state.lang, n),
  );
  return section;
}

function satisfactionSection(report, instrument) {
  const items = report.satisfaction;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'sat-h' },
    h('h3', { id: 'sat-h', text: tr('sat.title') }),
    satisfactionTable(
      state.lang,
      instrument,
      items,
      tr('sat.caption', { k: satisfactionPoints(items) }),
      { id: 'satisfaction' },
    ),
  );
}

function frequencySection(report, instrument) {
  const section = h(
    'section',
    { 'aria-labelledby': 'freq-h' },
    h('h3', { id: 'freq-h', text: tr('freq.title') }),
  );
  for (const question of instrument.questions) {
    section.append(
      h(
        'div',
        { class: 'card' },
        frequencyTable(state.lang, instrument, question, report.frequencies.questions[question.id]),
      ),
    );
  }
  return section;
}

function renderReport() {
  const root = $('#report');
  if (!state.view) {
    root.hidden = true;
    root.replaceChildren();
    return;
  }
  const { report, instrument } = state.view;
  const { name } = varsOf(state.view);
  root.replaceChildren(
    h('h2', { id: 'report-h', text: tr('report.title', { name }) }),
    h('p', { class: 'sub', id: 'report-n', text: tr('report.n', { n: report.n }) }),
    report.nps ? npsSection(report, instrument) : null,
    report.satisfaction.length ? satisfactionSection(report, instrument) : null,
    frequencySection(report, instrument),
  );
  root.hidden = false;
}

function renderErrors() {
  const root = $('#errors');
  if (!state.failure) {
    root.replaceChildren();
    return;
  }
  const { error } = state.failure;
  const { name } = varsOf(state.failure);
  const problems = Array.isArray(error?.problems) ? error.problems : [];
  if (!problems.length) {
    root.replaceChildren(
      h('p', {
        class: 'error',
        text: sentence(tr('fetchFailed', { name, message: String(error?.message ?? error) })),
      }),
    );
    return;
  }
  const total = error.total ?? problems.length;
  const describe = (p) => (state.lang === 'en' ? p.message : problemText(state.lang, p));
  root.replaceChildren(
    h('p', {
      class: 'error',
      // (The sentence starts with the file's name, shown as it is: never capitalised.)
      text:
        tr('failed', { name, total }) +
        (total > problems.length ? ' ' + tr('failedMore', { shown: problems.length }) : ''),
    }),
    table(
      tr('col.problem'),
      [tr('col.line'), tr('col.column'), tr('col.value'), tr('col.problem')],
      problems.map((p) =>
        h(
          'tr',
          { 'data-code': p.code },
          h('td', { text: p.line ?? '' }),
          h('td', { text: [p.column, p.field && `(${p.field})`].filter(Boolean).join(' ') }),
          h('td', {}, p.value != null ? h('code', { text: p.value }) : ''),
          h('td', { text: describe(p) }),
        ),
      ),
      { id: 'problems' },
    ),
  );
}

function renderStatus() {
  $('#status').textContent = state.status
    ? sentence(tr(state.status.key, varsOf(state.status.vars)))
    : '';
}

function renderAll() {
  translatePage(state.lang);
  labelLangButton(state.lang);
  document.title = `${tr('brand')} · ${tr('title')}`;
  renderStatus();
  renderErrors();
  renderReport();
  renderPreview();
  refreshStatus();
}

/** Imports bytes as a data set; shows its report, or every problem found. */
async function load(name, getBytes, nameKey = undefined) {
  state.status = { key: 'loading', vars: { name, nameKey } };
  state.failure = null;
  renderStatus();
  renderErrors();
  try {
    const bytes = await getBytes();
    const r = await ask(
      'file.report',
      { name: name.toLowerCase().endsWith('.csv') ? name : `${name}.csv`, bytes },
      null,
      [bytes.buffer],
    );
    state.view = { name, nameKey, report: r.report, instrument: r.instrument };
    state.status = { key: 'loaded', vars: { name, nameKey, n: state.view.report.n } };
  } catch (error) {
    state.view = null;
    state.status = null;
    state.failure = { name, nameKey, error };
  }
  renderAll();
  if (state.failure) $('#errors').focus();
}

async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

// ---- Data on this device -------------------------------------------------

const operatorInput = /** @type {HTMLInputElement} */ ($('#operator'));
operatorInput.value = globalThis.localStorage?.getItem('manyi.operator') ?? '';
operatorInput.addEventListener('change', () => {
  try {
    localStorage.setItem('manyi.operator', operatorInput.value.trim());
  } catch {
    /* private mode: kept for this page only */
  }
});

const fmtBytes = (n) =>
  n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

/** The questionnaire choice, shown when the device holds more than one. */
function renderSets() {
  const { sets } = state.summary;
  const wrap = $('#set-wrap');
  wrap.hidden = sets.length < 2;
  const select = /** @type {HTMLSelectElement} */ ($('#set-choice'));
  const chosen = state.fingerprint ?? sets[0]?.fingerprint;
  select.replaceChildren(...setOptions(sets, chosen, tr, textOf));
}

/** Saves what could not be read, as kept, for an administrator. */
async function exportQuarantine() {
  try {
    // Files are named by the branch's own date (the worker is not told the time zone).
    const file = await ask('store.exportQuarantine', { day: localDay() });
    saveFile(file);
    setStatus('export.done', { name: file.name });
  } catch (error) {
    plainFailure(tr('device.exportQuarantine'), error);
  }
}

/** What the core could not read: listed with the reason, never hiding the rest. */
function renderQuarantine() {
  const q = state.summary.quarantine;
  const box = $('#quarantine');
  box.hidden = !q.length;
  box.replaceChildren(
    ...(q.length
      ? [
          h('p', { class: 'warn', text: tr('device.quarantine', { n: q.length }) }),
          h(
            'ul',
            {},
            q.slice(0, 20).map((x) =>
              h('li', {
                'data-what': x.what,
                text: `${tr(`device.q.${x.what}`)} ${x.id ?? x.key}: ${x.reason}`,
              }),
            ),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              id: 'export-quarantine',
              onclick: exportQuarantine,
            },
            tr('device.exportQuarantine'),
          ),
        ]
      : []),
  );
}

/** The device line while its figures are being counted again: busy, never the old "nothing saved". */
function countingStatus() {
  const el = $('#store-status');
  el.setAttribute('aria-busy', 'true');
  el.textContent = tr('device.counting');
  delete el.dataset.total;
  delete el.dataset.unexported;
}

let statusRound = 0;
async function refreshStatus() {
  const el = $('#store-status');
  const round = ++statusRound;
  try {
    state.summary = await ask('store.summary');
    if (round !== statusRound) return; // a later count is under way
    const total = state.summary.sets.reduce((n, s) => n + s.n, 0);
    const unexported = state.summary.sets.reduce((n, s) => n + s.unexported, 0);
    renderSets();
    renderQuarantine();
    const parts = [total ? tr('device.status', { total, unexported }) : tr('device.empty')];
    if (navigator.storage?.persisted)
      parts.push(
        tr((await navigator.storage.persisted()) ? 'device.persisted' : 'device.notPersisted'),
      );
    if (navigator.storage?.estimate) {
      const { usage = 0, quota = 0 } = await navigator.storage.estimate();
      parts.push(tr('device.usage', { used: fmtBytes(usage), quota: fmtBytes(quota) }));
    }
    if (round !== statusRound) return;
    el.textContent = sentence(parts.join(' '));
    el.dataset.total = String(total);
    el.dataset.unexported = String(unexported);
  } catch (e) {
    if (round === statusRound) el.textContent = String(e?.message ?? e);
  } finally {
    if (round === statusRound) el.removeAttribute('aria-busy');
  }
}

/** The preview of an import waiting for the person's decision. */
let preview = null;
/** The questionnaire whose option texts a conflict shows (loaded with the first conflict), or null. */
let conflictInstrument = null;

function renderPreview() {
  const box = $('#preview');
  if (!preview) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  $('#preview-summary').textContent = tr('preview.summary', {
    name: preview.name,
    rows: preview.rows,
    new: preview.new,
    same: preview.same,
    conflicts: preview.conflicts.length,
  });
  const waiting = preview.waiting;
  $('#preview-waiting').hidden = !waiting;
  $('#preview-waiting').textContent = waiting
    ? tr('preview.waiting', { ...waitingVars(waiting), keptIds: keptIds(waiting.kept) })
    : '';
  const keyLine = keyNote(preview.key, 'preview');
  $('#preview-key').hidden = !keyLine;
  $('#preview-key').textContent = keyLine;
  const left = preview.left ?? [];
  $('#preview-deleted').hidden = !left.length;
  $('#preview-deleted').textContent = left.length
    ? tr('preview.deletedHere', { n: left.length, ids: left.join(', ') })
    : '';
  const list = preview.conflicts.map((c) => {
    const rows = c.questions.map((q) => {
      const i = preview.questions.indexOf(q);
      // The option's text beside its letter, from the page's questionnaire when it has the question.
      const question = conflictInstrument?.questions.find((x) => x.id === q);
      const label = (code) => (code ? (question ? optionLabel(question, code) : code) : '—');
      return h(
        'tr',
        {},
        h('th', { scope: 'row', text: q.toUpperCase() }),
        h('td', { text: label(c.existing[i]) }),
        h('td', { text: label(c.incoming[i]) }),
      );
    });
    const choice = (value, key) =>
      h(
        'label',
        { class: 'choice' },
        h('input', {
          type: 'radio',
          name: `conflict-${c.id}`,
          value,
          'data-id': c.id,
          checked: preview.choices[c.id] === value,
        }),
        ' ',
        tr(key),
      );
    return h(
      'fieldset',
      { class: 'conflict', 'data-id': c.id },
      h('legend', { text: `${tr('preview.id')} ${c.id}` }),
      table(
        `${tr('preview.id')} ${c.id}`,
        [tr('preview.question'), tr('preview.existing'), tr('preview.incoming')],
        rows,
      ),
      h(
        'div',
        { class: 'actions' },
        choice('existing', 'preview.keep'),
        choice('incoming', 'preview.take'),
      ),
    );
  });
  $('#conflicts').replaceChildren(
    ...(list.length ? [h('p', { text: tr('preview.conflictsCaption') }), ...list] : []),
  );
}

function setStatus(key, vars) {
  state.status = { key, vars };
  renderStatus();
}

function plainFailure(name, error) {
  state.failure = { name, error };
  renderErrors();
  $('#errors').focus();
}

$('#conflicts').addEventListener('change', (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  if (preview && input.dataset.id) preview.choices[input.dataset.id] = input.value;
});

$('#import-file').addEventListener('change', async (e) => {
  const input = /** @type {HTMLInputElement} */ (e.target);
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  state.failure = null;
  renderErrors();
  setStatus('loading', { name: file.name });
  try {
    let bytes = new Uint8Array(await file.arrayBuffer());
    // An encrypted backup is opened with its own passphrase first; nothing is read without it.
    // One that cannot be opened (a field the core refuses) is said so before any passphrase is asked.
    if (await isEncryptedBackup(bytes)) {
      bytes = await openEncrypted(file.name, await readSealedBackup(bytes));
    }
    const p = await ask('preview', { name: file.name, bytes }, null, [bytes.buffer]);
    if (p.conflicts.length && !conflictInstrument)
      conflictInstrument = await loadInstrument().catch(() => null);
    preview = { ...p, choices: {} };
    state.status = null;
    renderStatus();
    renderPreview();
    $('#preview-h').focus?.();
  } catch (error) {
    preview = null;
    renderPreview();
    state.status = null;
    renderStatus();
    plainFailure(file.name, error);
  }
});

/** Asks for an encrypted backup's passphrase until its envelope opens (or the person picks another file). */
function openEncrypted(name, sealed) {
  const form = /** @type {HTMLFormElement} */ ($('#open-backup'));
  form.hidden = false;
  $('#open-backup-lead').textContent = tr('import.encrypted', { name });
  state.status = null;
  renderStatus();
  $('#open-backup-pass').focus();
  return new Promise((ok, fail) => {
    form.onsubmit = async (e) => {
      e.preventDefault();
      const input = /** @type {HTMLInputElement} */ ($('#open-backup-pass'));
      try {
        const plain = await decryptBackup(sealed, input.value);
        form.hidden = true;
        input.value = '';
        form.onsubmit = null;
        ok(plain);
      } catch (error) {
        if (!(error instanceof Refused)) {
          form.hidden = true;
          form.onsubmit = null;
          fail(error);
          return;
        }
        setStatus('import.wrongPass', {});
        input.select();
      }
    };
  });
}

$('#commit').addEventListener('click', async () => {
  if (!preview) return;
  const undecided = preview.conflicts.filter((c) => !preview.choices[c.id]).length;
  if (undecided) {
    setStatus('preview.undecided', { n: undecided });
    return;
  }
  const bar = /** @type {HTMLProgressElement} */ ($('#import-progress'));
  $('#import-progress-wrap').hidden = false;
  bar.value = 0;
  try {
    const operator = /** @type {HTMLInputElement} */ ($('#operator')).value.trim();
    const r = await ask('commit', { resolutions: preview.choices, operator }, ({ done, total }) => {
      bar.value = Math.round((100 * done) / total);
    });
    if (r.changed) {
      // Something was saved on this device since the preview: nothing was
      // written, and the plan was made again for the person to confirm.
      preview = { ...r.changed, choices: {} };
      renderPreview();
      setStatus('preview.changed', {});
      return;
    }
    preview = null;
    renderPreview();
    // The figures are counted again below: until then the line says so, not the old count.
    countingStatus();
    if (r.entries)
      setStatus('import.doneEntries', {
        ...r,
        ...waitingVars(r.entries),
        keptList: r.entries.kept,
      });
    else setStatus('import.done', r);
    // Ask once for storage the browser will not clear under pressure.
    await navigator.storage?.persist?.().catch(() => false);
  } catch (error) {
    plainFailure(preview?.name ?? '', error);
  } finally {
    $('#import-progress-wrap').hidden = true;
    refreshStatus();
  }
});

$('#cancel').addEventListener('click', async () => {
  preview = null;
  renderPreview();
  await ask('cancel');
  setStatus('import.cancelled', {});
});

$('#show-stored').addEventListener('click', async () => {
  const button = $('#show-stored');
  if (button.hasAttribute('aria-busy')) return;
  button.setAttribute('aria-busy', 'true');
  setStatus('device.reportBusy', {});
  try {
    const r = await ask('report', { fingerprint: state.fingerprint });
    state.failure = null;
    state.fingerprint = r.fingerprint;
    state.view = r.report
      ? {
          name: tr('device.name'),
          nameKey: 'device.name',
          report: r.report,
          instrument: r.instrument,
        }
      : null;
    state.status = r.report
      ? { key: 'loaded', vars: { nameKey: 'device.name', n: r.n } }
      : { key: 'device.empty', vars: {} };
    renderAll();
  } catch (error) {
    state.status = null;
    renderStatus();
    state.failure = { name: tr('device.name'), nameKey: 'device.name', error };
    renderErrors();
    $('#errors').focus();
  } finally {
    button.removeAttribute('aria-busy');
  }
});

for (const button of document.querySelectorAll('[data-export]')) {
  button.addEventListener('click', async () => {
    const format = button.getAttribute('data-export');
    // An encrypted backup's passphrase is checked before anything is exported (or marked so).
    const encrypt =
      format === 'backup' && /** @type {HTMLInputElement} */ ($('#backup-encrypt')).checked;
    const pass = /** @type {HTMLInputElement} */ ($('#backup-pass')).value;
    if (encrypt) {
      if (pass !== /** @type {HTMLInputElement} */ ($('#backup-pass-again')).value) {
        setStatus('export.encryptMismatch', {});
        $('#backup-pass').focus();
        return;
      }
      try {
        await checkPassphrase(pass);
      } catch {
        setStatus('lock.weak', {});
        $('#backup-pass').focus();
        return;
      }
    }
    try {
      const file = await ask('export', {
        format,
        day: localDay(),
        lang: state.lang,
        // Call-back contacts leave the device only when the person exporting asks for them.
        contacts: /** @type {HTMLInputElement} */ ($('#export-contacts')).checked,
        fingerprint: state.fingerprint,
        // The branch key leaves the device only when asked for, with the warning beside the box.
        withKey: /** @type {HTMLInputElement} */ ($('#backup-key')).checked,
      });
      if (encrypt) {
        file.bytes = await encryptBackup(file.bytes, pass);
        file.name = file.name.replace(/\.json$/, '-encrypted.json');
      }
      saveFile(file);
      setStatus('export.done', { name: file.name });
    } catch (error) {
      plainFailure(button.textContent ?? '', error);
    } finally {
      refreshStatus();
    }
  });
}

$('#backup-encrypt').addEventListener('change', (e) => {
  $('#backup-pass-wrap').hidden = !(/** @type {HTMLInputElement} */ (e.target).checked);
});

$('#kiosk-start').addEventListener('click', async () => {
  // The staff session ends here: a customer at the kiosk reaches nothing behind it.
  await setKiosk({ since: new Date().toISOString() });
  lock();
  location.replace('survey.html');
});

$('#change-pass').addEventListener('submit', async (e) => {
  e.preventDefault();
  const value = (id) => /** @type {HTMLInputElement} */ ($(id)).value;
  const status = $('#change-pass-status');
  if (value('#new-pass') !== value('#new-pass-again')) {
    status.textContent = tr('lock.mismatch');
    return;
  }
  try {
    await changePassphrase(value('#old-pass'), value('#new-pass'));
    for (const id of ['#old-pass', '#new-pass', '#new-pass-again'])
      /** @type {HTMLInputElement} */ ($(id)).value = '';
    status.textContent = tr('lock.changed');
  } catch (err) {
    status.textContent =
      err instanceof Refused
        ? tr(err.wait ? 'lock.wait' : 'lock.wrong', { s: err.wait })
        : err?.problems?.[0]?.code === 'weak_passphrase'
          ? tr('lock.weak')
          : String(err?.message ?? err);
  }
});

$('#set-choice').addEventListener('change', (e) => {
  state.fingerprint = /** @type {HTMLSelectElement} */ (e.target).value;
  if (state.view?.nameKey === 'device.name') $('#show-stored').click();
});

$('#file').addEventListener('change', (e) => {
  const file = /** @type {HTMLInputElement} */ (e.target).files?.[0];
  if (file) load(file.name, async () => new Uint8Array(await file.arrayBuffer()));
  /** @type {HTMLInputElement} */ (e.target).value = '';
});
$('#demo').addEventListener('click', () =>
  load(tr('demoName'), () => fetchBytes(DEMO_URL), 'demoName'),
);
$('#lang').addEventListener('click', () => {
  state.lang = state.lang === 'en' ? 'zh-CN' : 'en';
  saveLang(state.lang);
  renderAll();
});

catchFailures(
  () => $('#status'),
  (what) => tr('app.failed', { what }),
);
renderAll();
ask('store.summary').catch(() => {}); // start the worker and its WebAssembly module while the person picks a file
document.documentElement.dataset.ready = 'true';
offline(true);

// Staff entry of paper questionnaires, keyboard first (after EpiData Entry and
// CSPro): the form id, then one key per answer — the option's letter as printed
// on the form (any case), 0–10 for a scale, Space for "not answered" — and
// Enter saves. Every key is checked as it is typed; a letter the question does
// not have is refused with a message that does not take the focus away.
//
// Double entry (on by default): a first keying waits in the `entries` store and
// counts in no report; a second keying of the same id, done blind, is compared
// field by field. If the two agree the form becomes a response (mode "paper");
// if not, the disagreements are shown side by side and the operator types what
// the paper says. Each disagreement is charged to the operator whose value the
// paper contradicts (those rules, and the operators' tally, are the core's:
// src/core/double_entry.rs). With double entry off, a keyed form is a response at once.
// Edits and deletions of saved forms are written to the audit trail with who,
// when and what changed.
import { initialLang, instrumentProblem, saveLang, t, translatePage } from './i18n.js';
import './texts.js';
import { $field as $, catchFailures, h, labelLangButton } from './dom.js';
import { loadInstrument } from './instrument.js';
import { MISSING, answerKeys, codeMark, codeMeaning, keyAnswer } from './answers.js';
import { ask } from './worker-bridge.js';
import {
  DuplicateId,
  addEntry,
  addKeyed,
  auditTrail,
  deviceId,
  findId,
  instrumentKey,
  paperResponses,
  pendingEntries,
  protectRecord,
  removeId,
  revealRecord,
  saveSetting,
  setting,
  updateEntry,
} from './storage.js';
import { staffGate } from './lock.js';
import { offline } from './offline.js';

// Nothing of this screen shows before the staff passphrase (and never in kiosk mode).
await staffGate();

/** @type {'zh-CN' | 'en'} */
let lang = initialLang();
/** @type {any} */
let instrument;
/** The form being keyed: its values (null = not keyed yet), and what it is. */
const form = {
  /** @type {(number | null)[]} */
  values: [],
  /** 'first' | 'second' | 'edit' */
  mode: 'first',
  /** The stored form being edited: { kind: 'response' | 'entry', record } */
  editing: null,
  /** A scale field's digits typed so far. */
  digits: '',
};
/** This page session's figures. */
const session = { keyed: 0, firstAt: 0 };
let lastId = '';

const tr = (key, vars) => t(lang, key, vars);
const textOf = (text) => text?.[lang] ?? text?.['zh-CN'] ?? '';

const questions = () => instrument.questions;
const isScale = (q) => q.kind === 'scale';

/** What a stored code looks like on the form: its letter, its number, or · for not answered. */
const shown = codeMark;

/** The code's text, to read back while keying. */
const meaning = (q, code) =>
  code === MISSING ? tr('entry.notAnswered') : codeMeaning(q, code, textOf);

const allowed = answerKeys;

/** An answer as marked and in words ("B 25–34岁"); a number once ("3", not "3 3"). */
const markAndMeaning = (q, code) => {
  const mark = shown(q, code);
  const words = meaning(q, code);
  return words === mark ? mark : `${mark} ${words}`;
};

/** What the status line says, kept to say it again in the other language. */
let said = null;
function say(key, vars, kind = 'info') {
  said = { key, vars, kind };
  const box = $('#entry-msg');
  box.textContent = tr(key, vars);
  box.dataset.kind = kind;
  box.dataset.key = key;
}

// ---- the half-keyed form, kept across a reload (sealed like the records) ----------

let draftWrites = Promise.resolve();
/** Keeps the form being keyed (not an edit) so that a reload does not lose it. */
function keepDraft() {
  const id = $('#form-id').value;
  const keep = form.mode !== 'edit' && form.values.some((v) => v != null);
  const draft = keep
    ? { id, mode: form.mode, values: [...form.values], questions: questions().map((q) => q.id) }
    : null;
  document.documentElement.dataset.draft = 'saving';
  draftWrites = draftWrites
    .then(async () => saveSetting('entryDraft', draft && (await protectRecord(draft, []))))
    .then(() => {
      document.documentElement.dataset.draft = 'saved';
    })
    .catch(() => {});
}

/** The kept form, if it belongs to this questionnaire. */
async function keptDraft() {
  try {
    const draft = await revealRecord(await setting('entryDraft', null));
    if (
      !draft ||
      draft.questions.join() !==
        questions()
          .map((q) => q.id)
          .join()
    )
      return null;
    return draft;
  } catch {
    return null;
  }
}

// ---- the grid of answer fields ----------------------------------------------

function field(i) {
  return /** @type {HTMLInputElement} */ (document.getElementById(`f-${questions()[i].id}`));
}

function buildGrid() {
  const cells = questions().map((q, i) =>
    h(
      'div',
      { class: 'cell', 'data-question': q.id },
      h(
        'label',
        { for: `f-${q.id}` },
        h('span', { class: 'qn', text: String(i + 1) }),
        ' ',
        h('span', { class: 'qt', text: textOf(q.text) }),
      ),
      h('input', {
        id: `f-${q.id}`,
        class: 'ans',
        type: 'text',
        inputmode: isScale(q) ? 'numeric' : 'text',
        maxlength: 2,
        spellcheck: 'false',
        autocapitalize: 'characters',
        'aria-describedby': `m-${q.id}`,
        'data-index': String(i),
      }),
      h('span', { class: 'val', id: `m-${q.id}` }),
    ),
  );
  $('#grid').replaceChildren(...cells);
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (
    document.querySelectorAll('#grid .ans')
  )) {
    input.addEventListener('keydown', (e) => answerKey(e, Number(input.dataset.index)));
    input.addEventListener('focus', () => {
      form.digits = '';
      input.select();
    });
    // Typing goes through answerKey; anything else (paste, IME) is put back.
    input.addEventListener('input', () => showValue(Number(input.dataset.index)));
  }
  refreshGrid();
}

function showValue(i) {
  const q = questions()[i];
  const v = form.values[i];
  const input = field(i);
  input.value = form.digits && document.activeElement === input ? form.digits : shown(q, v);
  const hint = v == null ? tr('entry.allowed', { codes: allowed(q) }) : meaning(q, v);
  document.getElementById(`m-${q.id}`).textContent = hint;
  /** @type {HTMLElement} */ (input.closest('.cell')).dataset.state =
    v == null ? 'empty' : v === MISSING ? 'missing' : 'set';
}

function refreshGrid() {
  questions().forEach((_, i) => showValue(i));
}

function focusField(i) {
  const n = questions().length;
  field(Math.max(0, Math.min(i, n - 1))).focus();
}

/** Sets answer i and moves on (to the next field, or stays on the last one). */
function setAnswer(i, code) {
  form.values[i] = code;
  form.digits = '';
  showValue(i);
  keepDraft();
  if (i + 1 < questions().length) focusField(i + 1);
  else say('entry.ready', {});
}

function answerKey(e, i) {
  const q = questions()[i];
  if (e.key === 'Tab' || e.ctrlKey || e.metaKey || e.altKey) return;
  e.preventDefault();
  const key = e.key;
  // Esc leaves an edit unsaved: the stored form stays as it was.
  if (key === 'Escape' && form.mode === 'edit') {
    const id = form.editing?.record.id ?? '';
    newForm().then(() => say('entry.editCancelled', { id }));
    return;
  }
  if (key === 'Enter') {
    save();
    return;
  }
  if (key === 'ArrowLeft' || key === 'ArrowUp') return focusField(i - 1);
  if (key === 'ArrowRight' || key === 'ArrowDown') return focusField(i + 1);
  if (key === 'Backspace' || key === 'Delete') {
    if (form.values[i] == null && !form.digits && key === 'Backspace') {
      if (i > 0) focusField(i - 1);
      return;
    }
    form.values[i] = null;
    form.digits = '';
    showValue(i);
    keepDraft();
    return;
  }
  const a = keyAnswer(q, key, form.digits, { blank: true });
  if (!a) return;
  if ('refused' in a) return refuse(i, a.refused);
  // Wait for a second digit only if one could follow (1 → 10 on a 0–10 scale).
  if (a.wait) {
    form.values[i] = a.code;
    form.digits = a.digits;
    showValue(i);
    keepDraft();
    say('entry.moreDigits', { n: i + 1, v: a.digits });
    return;
  }
  setAnswer(i, a.code);
}

function refuse(i, value) {
  const q = questions()[i];
  // A refused second digit (1 then 5 on a 0–10 scale) drops the first as well.
  if (form.digits) form.values[i] = null;
  form.digits = '';
  showValue(i);
  const cell = /** @type {HTMLElement} */ (field(i).closest('.cell'));
  cell.classList.remove('refused');
  void cell.offsetWidth; // restart the flash
  cell.classList.add('refused');
  setTimeout(() => cell.classList.remove('refused'), 700);
  say('entry.refused', { n: i + 1, value, codes: allowed(q) }, 'error');
}

// ---- the form id --------------------------------------------------------------

/** The core, once loaded (the id rules are its: form_id.rs). */
let manyi;

/** The id as typed, completed by the core against the last id keyed here. */
function completion(typed) {
  return manyi
    ? manyi.completeId(typed, lastId)
    : { id: typed.trim(), completed: false, bare_number: false };
}

function fullId(typed) {
  return completion(typed).id;
}

/** Shows, as the id is typed, the id it will be saved as when that differs, or that a bare number has no id to complete it from. */
function showFullId() {
  const c = completion($('#form-id').value);
  $('#id-full').textContent = c.completed
    ? tr('entry.idFull', { id: c.id })
    : c.bare_number
      ? tr('entry.idBare', { id: c.id })
      : '';
}

/** The id after `id`: its trailing number plus one, keeping the width. */
function nextId(id) {
  return manyi ? manyi.nextId(id) : '';
}

/** Checks the id for the current pass; returns an error key or null. */
async function checkId(id, mode = form.mode) {
  if (!id) return 'entry.noId';
  if (mode === 'edit') return null;
  const found = await findId(id);
  const { entry } = found;
  // Responses imported in bulk live in the core's chunks: the worker knows them.
  const response =
    found.response ||
    (mode === 'first' &&
      !entry &&
      (await ask('store.holds', { responseId: id }).catch(() => false)));
  if (mode === 'first' && (response || entry))
    return response ? 'entry.duplicate' : 'entry.duplicatePending';
  if (mode === 'second' && !entry) return response ? 'entry.alreadyVerified' : 'entry.noFirst';
  return null;
}

function idKey(e) {
  if (e.key !== 'Enter') return;
  e.preventDefault();
  acceptId();
}

/**
 * Takes the id and moves to question 1 at once, so that keys typed ahead are
 * not lost; the check follows, and a duplicate is flagged without taking the
 * focus (saving re-checks and refuses it).
 */
async function acceptId() {
  const input = $('#form-id');
  const id = fullId(input.value);
  input.value = id;
  showFullId();
  focusField(0);
  const problem = await checkId(id);
  if (input.value !== id) return; // changed meanwhile: checked again on save
  if (problem) {
    say(problem, { id }, 'error');
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  input.removeAttribute('aria-invalid');
}

// ---- saving -----------------------------------------------------------------

function operator() {
  return $('#operator').value.trim();
}

function codesOf(values) {
  return Uint8Array.from(values, (v) => (v == null ? MISSING : v));
}

async function paperRecord(id, codes, first, second) {
  const now = new Date().toISOString();
  const extras = { mode: 'paper', operator: first, device: await deviceId(), keyed_at: now };
  if (second) extras.verified_by = second;
  // The questionnaire, so that the core never counts this form under another one.
  return {
    id,
    instrument: await instrumentKey(JSON.stringify(instrument)),
    codes,
    extras,
    exported: 0,
    savedAt: now,
  };
}

/**
 * Enter: checks what can be checked at once, then clears the form for the next
 * one before writing, so that keys typed ahead go to the next form's id and
 * never into this one. A failed write puts this form back with the reason.
 */
async function save() {
  const who = operator();
  if (!who) {
    say('entry.noOperator', {}, 'error');
    $('#operator').focus();
    return;
  }
  const id = fullId($('#form-id').value);
  if (!id) {
    say('entry.noId', {}, 'error');
    $('#form-id').focus();
    return;
  }
  const gap = form.values.findIndex((v) => v == null);
  if (gap >= 0) {
    say('entry.gap', { n: gap + 1 }, 'error');
    focusField(gap);
    return;
  }
  const snapshot = { values: [...form.values], mode: form.mode, editing: form.editing };
  const codes = codesOf(form.values);
  const at = new Date().toISOString();
  blankForm(snapshot.mode === 'edit' ? '' : nextId(id));
  try {
    const problem = await checkId(id, snapshot.mode);
    if (problem) throw Object.assign(new Error(problem), { key: problem });
    if (snapshot.mode === 'edit') return await saveEdit(id, codes, who, at, snapshot.editing);
    if (snapshot.mode === 'second') return await saveSecond(id, codes, who, at);
    if ($('#double').checked) {
      await addEntry(
        { id, codes, operator: who, at },
        { at, what: 'enter', who, detail: { id, pass: 1 } },
      );
      await saved(id, 'entry.savedFirst');
    } else {
      await addKeyed(await paperRecord(id, codes, who, ''), {
        at,
        what: 'enter',
        who,
        detail: { id, pass: 1, counted: true },
      });
      await saved(id, 'entry.savedSingle');
    }
  } catch (error) {
    // Put the form back as it was, with the reason.
    Object.assign(form, snapshot, { digits: '' });
    const input = $('#form-id');
    input.value = id;
    input.readOnly = snapshot.mode === 'edit';
    input.setAttribute('aria-invalid', 'true');
    showFullId();
    refreshGrid();
    renderMode();
    keepDraft();
    if (error instanceof DuplicateId) say('entry.duplicate', { id }, 'error');
    else if (error.key) say(error.key, { id }, 'error');
    else say('entry.failed', { what: String(error?.message ?? error) }, 'error');
    input.focus();
    input.select();
  }
}

/** Empties the form for the next one, with `suggested` as its id, the id field focused. */
function blankForm(suggested) {
  form.values = questions().map(() => null);
  form.digits = '';
  if (form.mode === 'edit') form.mode = passChosen();
  form.editing = null;
  const input = $('#form-id');
  input.readOnly = false;
  input.value = suggested;
  input.removeAttribute('aria-invalid');
  showFullId();
  refreshGrid();
  renderMode();
  keepDraft();
  input.focus();
  input.select();
}

/** After a save: count it and show the figures. */
async function saved(id, key) {
  session.keyed += 1;
  session.firstAt ||= Date.now();
  lastId = id;
  saveSetting('entryLastId', id).catch(() => {});
  // The figures and list first (reading them may mean decrypting), and the saved form's draft
  // gone from the device (blankForm queued that), then the message: what it announces is so.
  await Promise.all([renderFigures(), renderSaved(), draftWrites]);
  say(key, { id });
}

/** The instrument's JSON text, for the core's double-entry rules. */
const instrumentJson = () => JSON.stringify(instrument);

/**
 * The core's verification of `entry` by the second keying `second`, with
 * `paper` the paper's answers at the disagreements: the record to store, its
 * audit entry, and whether one operator keyed both passes (`own`: the core's rule).
 */
async function verified(entry, second, who, at, paper) {
  const v = await ask('entry.verify', {
    formId: entry.id,
    firstOperator: entry.operator,
    first: Uint8Array.from(entry.codes),
    secondOperator: who,
    second,
    paper,
    instrument: instrumentJson(),
  });
  const record = await paperRecord(entry.id, Uint8Array.from(v.codes), entry.operator, who);
  return {
    record,
    audit: { at, what: 'verify', who, detail: v.verification },
    own: v.same_operator,
  };
}

async function saveSecond(id, codes, who, at) {
  const { entry } = await findId(id);
  const differ = await ask('entry.disagreements', {
    first: Uint8Array.from(entry.codes),
    second: codes,
    instrument: instrumentJson(),
  });
  if (!differ.length) {
    const { record, audit, own } = await verified(entry, codes, who, at, new Uint8Array(0));
    await addKeyed(record, audit);
    return saved(id, own ? 'entry.agreedOwn' : 'entry.agreed');
  }
  showResolve(entry, codes, differ, who);
}

async function saveEdit(id, codes, who, at, editing) {
  const { kind, record } = editing;
  const changes = await ask('entry.changes', {
    before: Uint8Array.from(record.codes),
    after: codes,
    instrument: instrumentJson(),
  });
  if (!changes.length) {
    say('entry.noChange', { id });
    return;
  }
  const audit = { at, what: 'edit', who, detail: { id, changes } };
  if (kind === 'entry') await updateEntry({ ...record, codes }, audit);
  else await addKeyed({ ...record, codes, savedAt: at, exported: 0 }, audit, { replace: true });
  await Promise.all([renderFigures(), renderSaved(), showHistory(id)]);
  say('entry.edited', { id, n: changes.length });
}

// ---- double entry: resolving disagreements -------------------------------------

function showResolve(entry, second, differ, who) {
  const box = $('#resolve');
  const resolved = new Map();
  const rows = differ.map((i, k) => {
    const q = questions()[i];
    const input = h('input', {
      id: `r-${q.id}`,
      class: 'ans',
      type: 'text',
      maxlength: 2,
      'aria-label': tr('entry.paperSays', { n: i + 1 }),
      autocomplete: 'off',
    });
    let digits = '';
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Tab' || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      if (e.key === 'Enter') return finish();
      const a = keyAnswer(q, e.key, digits, { blank: true });
      if (!a) return;
      if ('refused' in a)
        return say('entry.refused', { n: i + 1, value: a.refused, codes: allowed(q) }, 'error');
      digits = a.digits;
      if (a.code == null) resolved.delete(i);
      else resolved.set(i, a.code);
      if (a.wait) {
        input.value = digits;
        return;
      }
      input.value = shown(q, a.code);
      const next = document.getElementById(`r-${questions()[differ[k + 1]]?.id}`);
      if (next) next.focus();
      else say('entry.resolveReady', {});
    });
    return h(
      'tr',
      { 'data-question': q.id },
      h('th', { scope: 'row', text: `${i + 1}. ${textOf(q.text)}` }),
      h('td', {
        class: 'first',
        text: markAndMeaning(q, entry.codes[i]),
      }),
      h('td', { class: 'second', text: markAndMeaning(q, second[i]) }),
      h('td', {}, input),
    );
  });
  let finishing = false;
  async function finish() {
    if (finishing) return;
    const open = differ.find((i) => !resolved.has(i));
    if (open != null) {
      say('entry.resolveOpen', { n: open + 1 }, 'error');
      document.getElementById(`r-${questions()[open].id}`).focus();
      return;
    }
    const paper = Uint8Array.from(differ, (i) => resolved.get(i));
    const at = new Date().toISOString();
    // Back to the form before writing, so that keys typed ahead go to the next form.
    finishing = true;
    box.hidden = true;
    $('#form').inert = false;
    backToForm();
    // Whether one operator keyed both passes (the core says so when verifying).
    let own;
    try {
      const v = await verified(entry, second, who, at, paper);
      own = v.own;
      await addKeyed(v.record, v.audit);
    } catch (error) {
      finishing = false;
      box.hidden = false;
      $('#form').inert = true;
      say('entry.failed', { what: String(error?.message ?? error) }, 'error');
      document.getElementById(`r-${questions()[differ[0]].id}`).focus();
      return;
    }
    if (box.contains(document.activeElement)) backToForm();
    box.replaceChildren();
    await saved(entry.id, own ? 'entry.resolvedOwn' : 'entry.resolved');
  }
  box.replaceChildren(
    h('h3', { id: 'resolve-h', text: tr('entry.disagree', { id: entry.id, n: differ.length }) }),
    h('p', { class: 'hint', text: tr('entry.resolveHint') }),
    h(
      'table',
      { class: 'resolve', 'aria-labelledby': 'resolve-h' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: tr('entry.question') }),
          h('th', { scope: 'col', text: tr('entry.firstBy', { who: entry.operator }) }),
          h('th', { scope: 'col', text: tr('entry.secondBy', { who }) }),
          h('th', { scope: 'col', text: tr('entry.paper') }),
        ),
      ),
      h('tbody', {}, rows),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', id: 'resolve-save', onclick: finish }, tr('entry.resolveSave')),
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'resolve-cancel', onclick: cancelResolve },
        tr('entry.resolveCancel'),
      ),
    ),
  );
  box.hidden = false;
  $('#form').inert = true;
  say('entry.disagree', { id: entry.id, n: differ.length }, 'error');
  document.getElementById(`r-${questions()[differ[0]].id}`).focus();
}

function cancelResolve() {
  const box = $('#resolve');
  box.hidden = true;
  box.replaceChildren();
  $('#form').inert = false;
  backToForm();
}

/** The focus back on the form: the next form's first blank answer if it was begun, else its id. */
function backToForm() {
  const gap = form.values.findIndex((v) => v == null);
  if (form.values.some((v) => v != null)) return focusField(gap < 0 ? questions().length - 1 : gap);
  const input = $('#form-id');
  input.focus();
  input.select();
}

// ---- a new blank form, the figures, the saved forms ------------------------------

async function suggestion() {
  if (form.mode === 'first') return lastId ? nextId(lastId) : '';
  const pending = await pendingEntries();
  const ids = new Set(pending.map((p) => p.id));
  const next = lastId && nextId(lastId);
  return next && ids.has(next) ? next : (pending[0]?.id ?? '');
}

/**
 * A blank form at once; the suggested id (which may mean reading the device) is
 * filled in when it is known, only if nobody has started on the form meanwhile:
 * an id and answers keyed ahead of it are never wiped or robbed of the focus.
 */
async function newForm() {
  blankForm('');
  const suggested = await suggestion();
  const input = $('#form-id');
  const untouched = input.value === '' && !input.readOnly && form.values.every((v) => v == null);
  if (untouched && suggested) {
    input.value = suggested;
    showFullId();
    if (document.activeElement === input) input.select();
  }
  await Promise.all([renderFigures(), renderSaved()]);
}

const passChosen = () => /** @type {'first' | 'second'} */ ($('input[name="pass"]:checked').value);

function renderMode() {
  const tag = $('#form-mode');
  tag.textContent =
    form.mode === 'edit'
      ? tr('entry.editing', { id: form.editing?.record.id ?? '' })
      : form.mode === 'second'
        ? tr('entry.second')
        : tr('entry.first');
  document.documentElement.dataset.mode = form.mode;
  // The form being edited can be deleted from here too: not every stored form is in the list below.
  const del = /** @type {HTMLButtonElement} */ ($('#edit-delete'));
  del.hidden = form.mode !== 'edit';
  del.dataset.armed = 'false';
  del.textContent = tr('entry.delete');
  if (form.editing)
    del.setAttribute('aria-label', tr('entry.deleteId', { id: form.editing.record.id }));
}

/**
 * A table that a phone shows one block per row (entry.css, class "stacked"),
 * each cell named by its column: nothing runs off a narrow screen.
 */
function stacked(tag, attrs, ...children) {
  const table = h(tag, { ...attrs, class: 'stacked' }, ...children);
  const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
  for (const row of table.querySelectorAll('tbody tr'))
    [...row.children].forEach((cell, k) => {
      if (cell.tagName === 'TD') cell.setAttribute('data-label', names[k] ?? '');
    });
  return table;
}

async function renderFigures() {
  const [pending, tally] = await Promise.all([
    pendingEntries(),
    ask('entry.tally', { instrument: instrumentJson() }),
  ]);
  // The pace: forms after the first, over the time since it was saved; none in the first
  // minute, when two quick forms would extrapolate to thousands an hour.
  const ms = session.firstAt ? Date.now() - session.firstAt : 0;
  const rate =
    session.keyed > 1 && ms >= 60_000 ? Math.round((session.keyed - 1) / (ms / 3_600_000)) : null;
  const figures = [
    ['keyed', tr('entry.keyed'), String(session.keyed)],
    ['rate', tr('entry.rate'), rate == null ? '—' : String(rate)],
    ['pending', tr('entry.pending'), String(pending.length)],
  ];
  $('#figures').replaceChildren(
    ...figures.flatMap(([k, dt, dd]) => [
      h('dt', { text: dt }),
      h('dd', { 'data-figure': k, text: dd }),
    ]),
  );
  // Each operator's disagreements and errors: the core's, from the audit trail's verifications.
  const rows = tally.map((r) =>
    h(
      'tr',
      { 'data-operator': r.who },
      h('th', { scope: 'row', text: r.who }),
      h('td', { class: 'num', text: String(r.forms) }),
      h('td', { class: 'num', text: String(r.disagreements) }),
      h('td', { class: 'num errors', text: String(r.errors) }),
      h('td', { class: 'num', text: `${(100 * r.error_rate).toFixed(2)}%` }),
      h('td', { class: 'num', text: String(r.own) }),
    ),
  );
  $('#tally').replaceChildren(
    rows.length
      ? stacked(
          'table',
          { 'aria-labelledby': 'tally-h' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                'entry.operator',
                'entry.tallyForms',
                'entry.tallyDisagree',
                'entry.tallyErrors',
                'entry.tallyRate',
                'entry.tallyOwn',
              ].map((k) => h('th', { scope: 'col', text: tr(k) })),
            ),
          ),
          h('tbody', {}, rows),
        )
      : h('p', { class: 'hint', text: tr('entry.noTally') }),
  );
}

/**
 * The paper forms stored as responses, as records { id, codes, extras }: the
 * core's (through the worker: compacted forms live in its chunks), or the log's
 * alone if the worker cannot answer.
 */
async function paperForms() {
  try {
    return await ask('store.paper', { instrument: JSON.stringify(instrument) });
  } catch {
    return paperResponses();
  }
}

/** A stored form by id: { response, entry, inChunks } (a response found only in the core's chunks has inChunks). */
async function lookUp(id) {
  const found = await findId(id);
  if (found.response || found.entry) return found;
  const response = (await paperForms()).find((r) => r.id === id);
  if (!response) return found;
  return {
    response: { ...response, instrument: await instrumentKey(JSON.stringify(instrument)) },
    inChunks: true,
  };
}

async function renderSaved() {
  const [pending, paper] = await Promise.all([pendingEntries(), paperForms()]);
  const items = [
    ...pending.map((e) => ({
      id: e.id,
      status: tr('entry.statusPending'),
      who: e.operator,
      at: e.at,
      kind: 'entry',
    })),
    ...paper.map((r) => ({
      id: r.id,
      status: r.extras.verified_by ? tr('entry.statusVerified') : tr('entry.statusSingle'),
      who: [r.extras.operator, r.extras.verified_by].filter(Boolean).join(' / '),
      at: r.savedAt ?? r.extras.keyed_at ?? '',
      kind: 'response',
    })),
  ]
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .slice(0, 10);
  if (!items.length) {
    $('#saved').replaceChildren(h('p', { class: 'hint', text: tr('entry.none') }));
    return;
  }
  $('#saved').replaceChildren(
    stacked(
      'table',
      { 'aria-labelledby': 'saved-h' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['entry.formId', 'entry.status', 'entry.operator', 'entry.time', 'entry.actions'].map(
            (k) => h('th', { scope: 'col', text: tr(k) }),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((it) =>
          h(
            'tr',
            { 'data-id': it.id },
            h('th', { scope: 'row', text: it.id }),
            h('td', { text: it.status }),
            h('td', { text: it.who }),
            // An imported form may carry no keying time: shown as none, not as an invalid date.
            h('td', { text: it.at ? new Date(it.at).toLocaleString(lang) : '—' }),
            h(
              'td',
              { class: 'row-actions' },
              h(
                'button',
                {
                  type: 'button',
                  class: 'ghost edit',
                  'aria-label': tr('entry.editId', { id: it.id }),
                  onclick: () => openForEdit(it.id),
                },
                tr('entry.edit'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'ghost delete',
                  'aria-label': tr('entry.deleteId', { id: it.id }),
                  onclick: (e) => confirmDelete(e.currentTarget, it.id),
                },
                tr('entry.delete'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function openForEdit(id) {
  const { response, entry } = await lookUp(id);
  const record = response ?? entry;
  if (!record) {
    say('entry.notFound', { id }, 'error');
    // A deleted form's trail is still there to read; any other form's is no longer shown.
    await showHistory(id);
    return;
  }
  if (!response) {
    // Blind until both keyings exist: a waiting form is keyed again, never shown.
    const second = $('input[name="pass"][value="second"]');
    if (!second.disabled) {
      second.checked = true;
      form.mode = 'second';
    }
    blankForm(id);
    say('entry.blind', { id });
    await showHistory(id);
    return;
  }
  form.mode = 'edit';
  form.editing = { kind: response ? 'response' : 'entry', record };
  form.values = Array.from(record.codes, (c) => c);
  form.digits = '';
  const input = $('#form-id');
  input.value = id;
  input.readOnly = true;
  refreshGrid();
  renderMode();
  say('entry.editOpen', { id });
  focusField(0);
  await showHistory(id);
}

async function confirmDelete(button, id) {
  if (button.dataset.armed !== 'true') {
    button.dataset.armed = 'true';
    button.textContent = tr('entry.deleteConfirm', { id });
    setTimeout(() => {
      if (button.isConnected) {
        button.dataset.armed = 'false';
        button.textContent = tr('entry.delete');
      }
    }, 6000);
    return;
  }
  const { response, entry, inChunks } = await lookUp(id);
  const record = response ?? entry;
  if (!record) return;
  const q = questions();
  // A form kept in the core's chunks is removed by a deletion record in the log.
  const tombstone = inChunks
    ? {
        id,
        instrument: record.instrument,
        deleted: true,
        codes: new Uint8Array(0),
        extras: {},
        exported: 0,
        savedAt: new Date().toISOString(),
      }
    : null;
  await removeId(
    id,
    {
      at: new Date().toISOString(),
      what: 'delete',
      who: operator() || null,
      detail: {
        id,
        was: response ? 'response' : 'entry',
        answers: Array.from(record.codes, (c, i) => shown(q[i], c)),
      },
    },
    tombstone,
  );
  if (form.editing?.record.id === id) await newForm();
  await Promise.all([renderFigures(), renderSaved(), showHistory(id)]);
  say('entry.deleted', { id });
}

/** The form whose audit trail is shown, to show it again in the other language. */
let historyId = '';

/** A second keying's disagreements: each field, both keyings and what the paper said. */
function disagreementText(list) {
  return list
    .map((d) => {
      const q = questions().find((x) => x.id === d.question);
      const code = (c) => (q ? shown(q, c) : String(c)) || '·';
      return tr('entry.histField', {
        q: d.question.toUpperCase(),
        first: code(d.first),
        second: code(d.second),
        paper: code(d.resolved),
      });
    })
    .join(tr('entry.histSep'));
}

async function showHistory(id) {
  historyId = id;
  const trail = (await auditTrail()).filter((a) => a.detail?.id === id);
  const line = (a) => {
    const when = new Date(a.at).toLocaleString(lang);
    const who = a.who ?? '—';
    if (a.what === 'edit')
      return tr('entry.histEdit', {
        when,
        who,
        changes: a.detail.changes
          .map((c) => `${c.question.toUpperCase()} ${c.from}→${c.to}`)
          .join(', '),
      });
    if (a.what === 'verify') {
      const list = a.detail.disagreements;
      return list.length
        ? tr('entry.histVerifyDiff', { when, who, n: list.length, fields: disagreementText(list) })
        : tr('entry.histVerify', { when, who, n: 0 });
    }
    if (a.what === 'delete') return tr('entry.histDelete', { when, who });
    if (a.what === 'enter') return tr('entry.histEnter', { when, who });
    return `${when} ${a.what} ${who}`;
  };
  if (!trail.length) {
    $('#history').replaceChildren();
    return;
  }
  $('#history').replaceChildren(
    h('h3', { id: 'history-h', text: tr('entry.history', { id }) }),
    h(
      'ol',
      { class: 'history', 'aria-labelledby': 'history-h' },
      trail.map((a) => h('li', { 'data-what': a.what, text: line(a) })),
    ),
  );
}

// ---- wiring ------------------------------------------------------------------------

function renderTexts() {
  translatePage(lang);
  labelLangButton(lang);
  document.title = tr('entry.title');
}

async function start() {
  renderTexts();
  offline(true);
  try {
    instrument = await loadInstrument();
    manyi = await (await import('./core.js')).core();
  } catch (e) {
    say('entry.badInstrument', { what: instrumentProblem(lang, e) }, 'error');
    document.documentElement.dataset.ready = 'error';
    return;
  }
  $('#operator').value = localStorage.getItem('manyi.operator') ?? '';
  $('#double').checked = await setting('doubleEntry', true);
  buildGrid();
  $('#form-id').addEventListener('keydown', idKey);
  $('#form-id').addEventListener('input', showFullId);
  // Leaving the id field completes it there, so the id saved is the id shown.
  $('#form-id').addEventListener('change', () => {
    const input = $('#form-id');
    if (!input.readOnly) input.value = fullId(input.value);
    showFullId();
  });
  $('#operator').addEventListener('change', () =>
    localStorage.setItem('manyi.operator', operator()),
  );
  $('#operator').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      localStorage.setItem('manyi.operator', operator());
      $('#form-id').focus();
    }
  });
  $('#double').addEventListener('change', async () => {
    await saveSetting('doubleEntry', $('#double').checked);
    syncPasses();
  });
  for (const r of document.querySelectorAll('input[name="pass"]')) {
    r.addEventListener('change', async () => {
      form.mode = passChosen();
      lastId = '';
      await newForm();
    });
  }
  $('#form').addEventListener('submit', (e) => e.preventDefault());
  $('#find-go').addEventListener('click', () => openForEdit(fullId($('#find').value)));
  $('#edit-delete').addEventListener('click', (e) => {
    if (form.editing) confirmDelete(e.currentTarget, form.editing.record.id);
  });
  $('#find').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      openForEdit(fullId($('#find').value));
    }
  });
  $('#lang').addEventListener('click', async () => {
    lang = lang === 'en' ? 'zh-CN' : 'en';
    saveLang(lang);
    renderTexts();
    buildGrid();
    renderMode();
    showFullId();
    if (said) say(said.key, said.vars, said.kind);
    await Promise.all([renderFigures(), renderSaved(), historyId ? showHistory(historyId) : null]);
  });
  syncPasses();
  lastId = (await setting('entryLastId', '')) || (await latestId());
  const draft = await keptDraft();
  if (draft?.mode === 'second' && !$('#double').checked) draft.mode = 'first';
  if (draft) $(`input[name="pass"][value="${draft.mode}"]`).checked = true;
  form.mode = passChosen();
  await newForm();
  if (draft) {
    // The half-keyed form as it was before the reload.
    form.values = draft.values;
    $('#form-id').value = draft.id;
    showFullId();
    refreshGrid();
    keepDraft();
    say('entry.draftBack', { id: draft.id });
    backToForm();
  }
  if (!operator()) $('#operator').focus();
  document.documentElement.dataset.ready = 'true';
}

/** The id of the form keyed last on this device (for digit-only ids), or ''. */
async function latestId() {
  try {
    const [pending, paper] = await Promise.all([pendingEntries(), paperForms()]);
    const all = [
      ...pending.map((e) => ({ id: e.id, at: e.at })),
      ...paper.map((r) => ({ id: r.id, at: r.savedAt ?? r.extras?.keyed_at ?? '' })),
    ];
    all.sort((a, b) => (a.at < b.at ? 1 : -1));
    return all[0]?.id ?? '';
  } catch {
    return '';
  }
}

/** The second pass exists only with double entry on. */
function syncPasses() {
  const second = $('input[name="pass"][value="second"]');
  second.disabled = !$('#double').checked;
  if (second.disabled && second.checked) {
    $('input[name="pass"][value="first"]').checked = true;
    form.mode = 'first';
    newForm();
  }
}

catchFailures(
  () => $('#entry-msg'),
  (what) => tr('app.failed', { what }),
);
start();

// The customer survey: one question per screen, every answer saved on the
// device the moment it is given, a review screen, then the response stored
// with mode "online". Kiosk mode (?kiosk, ?idle=SECONDS, ?reset=SECONDS) resets
// for the next customer after submitting or when left idle, and each customer
// starts in the default language (Chinese). A device put into kiosk mode from
// the main page (meta "kiosk") is closed: Back stays in the survey, a reload
// stays in kiosk mode, the staff screens send it back here, and only the staff
// passphrase ("Staff" in the bar) leaves it.
//
// The built-in instrument (the file compiled into the core) is used unless
// ?instrument=URL names another, which the core checks. The built-in survey
// starts without WebAssembly: under 84 KB before the first question (the e2e
// budget). "callback": true adds a contact screen after the last question,
// kept (draft or response) only while the consent box is ticked.
import { initialLang, instrumentProblem, localDay, saveLang, t, translatePage } from './i18n.js';
import { $, catchFailures, h, labelLangButton } from './dom.js';
import { loadInstrument } from './instrument.js';
import { MISSING, codeMark, codeMeaning, keyAnswer } from './answers.js';
import {
  clearDraft,
  deviceId,
  instrumentKey as keepInstrument,
  kioskMode,
  loadDraft,
  loadMeta,
  saveDraft,
  setKiosk,
  submitResponse,
} from './db.js';
import { qrSvg } from './qr.js';
import { offline } from './offline.js';

const params = new URLSearchParams(location.search);
let kiosk = params.has('kiosk');
/** Whether the device itself is in kiosk mode (set from the main page): then it is closed. */
let closed = false;
let tapTrapped = false;
/** Every customer at a kiosk starts in this language. */
const KIOSK_LANG = 'zh-CN';
const idleSeconds = Number(params.get('idle') ?? 90);
const resetSeconds = Number(params.get('reset') ?? 8);
const instrumentUrl = params.get('instrument');
// A one-time invitation from the branch (survey.html?inv=TOKEN#k=SECRET on a
// customer's own phone): the answers are then also shown as a response code to
// send back, sealed with the link's secret (src/core/handoff/) so that whoever relays
// the code cannot change its answers.
const invitation = params.get('inv');
const secret = new URLSearchParams(location.hash.slice(1)).get('k') ?? '';

/** @type {'zh-CN' | 'en'} */
let lang = initialLang();
/** @type {any} the instrument, as the core gives it */
let instrument;
/**
 * The survey in progress, as saved on the device.
 * @type {{id: string, instrument: string, startedAt: string, answers: Record<string, number>, pos: number, contact?: {name: string, phone: string} | null} | null}
 */
let draft = null;
let phase = 'question'; // 'question' | 'contact' | 'review' | 'thanks'
/** The contact screen's fields as typed; saved into the draft only with consent. */
let contact = { name: '', phone: '', consent: false };
/** The response code shown after submitting an invited survey: { text, qr } or an error. */
let sent = null;
/** A question opened from the review ("Change"): answering it, or Next, returns to the review. */
let fromReview = false;

const tr = (key, vars) => t(lang, key, vars);
const textOf = (text) => text?.[lang] ?? text?.['zh-CN'] ?? '';

const instrumentKey = () => `${instrument.id}@${instrument.version}`;

function newDraft() {
  // The branch's own date, not UTC's: 07:30 in Beijing is the day before in UTC.
  const day = localDay().replaceAll('-', '');
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
  contact = { name: '', phone: '', consent: false };
  fromReview = false;
  return {
    id: `W${day}-${rand}`,
    instrument: instrumentKey(),
    startedAt: new Date().toISOString(),
    answers: {},
    pos: 0,
    contact: null,
  };
}

const questions = () => instrument.questions;
/** The screens before the review: every question, then the contact screen if offered. */
const steps = () => questions().length + (instrument.callback ? 1 : 0);
const phaseAt = (pos) =>
  pos < questions().length ? 'question' : pos < steps() ? 'contact' : 'review';

/** The text of an answer code for a question, as the person saw it. */
function answerText(q, code) {
  if (code == null || code === MISSING) return null;
  return q.kind === 'scale'
    ? codeMark(q, code)
    : `${codeMark(q, code)} ${codeMeaning(q, code, textOf)}`;
}

/** Saves the draft before anything else happens. */
async function persist() {
  await saveDraft(draft);
}

async function answer(q, code) {
  // A trap entry made with the customer's tap: browsers do not skip it on Back.
  if (closed && !tapTrapped) {
    tapTrapped = true;
    trapHistory();
  }
  drop();
  draft.answers[q.id] = code;
  const i = questions().indexOf(q);
  draft.pos = fromReview ? steps() : i + 1;
  await persist();
  // Let the person see the choice register before moving on.
  render(i);
  setTimeout(() => {
    phase = phaseAt(draft.pos);
    render();
  }, 180);
}

async function go(pos) {
  drop();
  draft.pos = Math.max(0, Math.min(pos, steps()));
  phase = phaseAt(draft.pos);
  await persist();
  render();
}

/** Keeps the contact in the draft only while consent is given. */
async function keepContact() {
  draft.contact = contact.consent
    ? { name: contact.name.trim(), phone: contact.phone.trim() }
    : null;
  await persist();
}

function contactScreen() {
  const i = questions().length;
  const field = (id, key, type, auto) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id, text: tr(`survey.contact.${key}`) }),
      h('input', {
        id,
        type,
        autocomplete: auto,
        inputmode: type === 'tel' ? 'tel' : null,
        value: contact[key],
        'aria-describedby': key === 'phone' ? 'contact-error' : null,
        oninput: (e) => {
          contact[key] = e.target.value;
          keepContact();
        },
      }),
    );
  const consent = h('input', {
    id: 'consent',
    type: 'checkbox',
    onchange: (e) => {
      contact.consent = e.target.checked;
      $('#next').textContent = contact.consent ? tr('survey.toReview') : tr('survey.contact.skip');
      keepContact();
    },
  });
  consent.checked = contact.consent;
  const next = async () => {
    const box = $('#contact-error');
    // The phone rule is the core's (store's Contact::phone_ok), loaded only when a number is to be kept.
    if (
      contact.consent &&
      !(await (await import('./core.js')).core()).phoneOk(contact.phone.trim())
    ) {
      box.textContent = tr('survey.contact.badPhone');
      $('#phone').focus();
      return;
    }
    if (!contact.consent && (contact.name.trim() || contact.phone.trim()) && !box.textContent) {
      // Nothing typed is kept without consent: say so once rather than drop it silently.
      box.textContent = tr('survey.contact.notKept');
      $('#consent').focus();
      return;
    }
    if (!contact.consent) contact = { name: '', phone: '', consent: false };
    go(i + 1);
  };
  return [
    h(
      'div',
      { class: 'progress' },
      h('span', { text: tr('survey.contact.step') }),
      h('progress', { max: steps(), value: steps(), 'aria-hidden': 'true' }),
    ),
    h('h1', { id: 'q-title', tabindex: -1 }, tr('survey.contact.title')),
    h('p', { class: 'hint', id: 'contact-lead', text: tr('survey.contact.lead') }),
    h(
      'form',
      {
        class: 'contact',
        'aria-labelledby': 'q-title',
        onsubmit: (e) => {
          e.preventDefault();
          next();
        },
      },
      field('name', 'name', 'text', 'name'),
      field('phone', 'phone', 'tel', 'tel'),
      h(
        'div',
        { class: 'consent' },
        consent,
        h('label', { for: 'consent', text: tr('survey.contact.consent') }),
      ),
      h('p', { id: 'contact-error', class: 'error', role: 'alert' }),
      h('button', { type: 'submit', hidden: true, tabindex: -1 }, tr('survey.next')),
    ),
    h(
      'nav',
      { class: 'nav', 'aria-label': tr('survey.navigation') },
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'back', onclick: () => go(i - 1) },
        tr('survey.back'),
      ),
      h(
        'button',
        { type: 'button', id: 'next', onclick: next },
        contact.consent ? tr('survey.toReview') : tr('survey.contact.skip'),
      ),
    ),
  ];
}

/** Arrow keys, Home and End move the focus within a question's options (one Tab stop for the group). */
function arrows(e) {
  const keys = {
    ArrowDown: 1,
    ArrowRight: 1,
    ArrowUp: -1,
    ArrowLeft: -1,
    Home: -Infinity,
    End: Infinity,
  };
  if (!(e.key in keys) || !(e.target instanceof HTMLElement) || !e.target.matches('.option'))
    return;
  const all = [...e.currentTarget.querySelectorAll('.option')];
  const at = all.indexOf(e.target);
  const step = keys[e.key];
  const to =
    all[
      Math.max(
        0,
        Math.min(all.length - 1, Number.isFinite(step) ? at + step : step < 0 ? 0 : all.length - 1),
      )
    ];
  e.preventDefault();
  for (const b of all) b.tabIndex = b === to ? 0 : -1;
  to.focus();
}

function questionScreen(stay) {
  const qs = questions();
  const i = stay ?? draft.pos;
  const q = qs[i];
  const chosen = draft.answers[q.id];
  const label = tr('survey.progress', { n: i + 1, total: qs.length });
  const choices =
    q.kind === 'scale'
      ? h(
          'div',
          {},
          h(
            'div',
            {
              class: 'options scale',
              role: 'group',
              'aria-labelledby': 'q-title',
              'aria-describedby': 'key-hint',
              onkeydown: arrows,
            },
            Array.from({ length: q.max - q.min + 1 }, (_, k) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'option',
                  tabindex: k === (chosen ?? 0) ? 0 : -1,
                  'aria-pressed': String(chosen === k),
                  'data-code': String(q.min + k),
                  onclick: () => answer(q, k),
                },
                String(q.min + k),
              ),
            ),
          ),
          h(
            'div',
            { class: 'anchors', 'aria-hidden': 'true' },
            h('span', { text: `${q.min} ${textOf(q.min_label)}` }),
            h('span', { text: `${q.max} ${textOf(q.max_label)}` }),
          ),
          h('p', {
            class: 'visually-hidden',
            text: `${q.min} = ${textOf(q.min_label)}; ${q.max} = ${textOf(q.max_label)}`,
          }),
        )
      : h(
          'div',
          {
            class: 'options',
            role: 'group',
            'aria-labelledby': 'q-title',
            'aria-describedby': 'key-hint',
            onkeydown: arrows,
          },
          q.options.map((o, k) =>
            h(
              'button',
              {
                type: 'button',
                class: 'option',
                tabindex: k === (chosen ?? 0) ? 0 : -1,
                'aria-pressed': String(chosen === k),
                'data-code': o.code,
                onclick: () => answer(q, k),
              },
              h('span', { class: 'letter', 'aria-hidden': 'true', text: o.code }),
              h('span', { text: textOf(o.label) }),
            ),
          ),
        );
  return [
    h(
      'div',
      { class: 'progress' },
      h('span', { text: label }),
      h('progress', { max: qs.length, value: i + 1, 'aria-hidden': 'true' }),
    ),
    h(
      'h1',
      { id: 'q-title', tabindex: -1, 'data-question': q.id },
      textOf(q.text),
      q.required
        ? h('span', { class: 'visually-hidden', text: ` (${tr('survey.required')})` })
        : null,
    ),
    choices,
    // What the keyboard does here, said when a key does nothing.
    h('p', { id: 'key-hint', class: 'key-hint', role: 'status' }),
    h(
      'nav',
      { class: 'nav', 'aria-label': tr('survey.navigation') },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'back',
          disabled: i === 0,
          onclick: () => go(i - 1),
        },
        tr('survey.back'),
      ),
      h(
        'button',
        { type: 'button', id: 'next', onclick: () => go(fromReview ? steps() : i + 1) },
        i + 1 === qs.length || fromReview ? tr('survey.toReview') : tr('survey.next'),
      ),
    ),
  ];
}

/** Opens a question from the review: answering it comes back to the review. */
function change(i) {
  fromReview = true;
  return go(i);
}

function reviewScreen() {
  const qs = questions();
  const items = qs.flatMap((q, i) => {
    const text = answerText(q, draft.answers[q.id]);
    return [
      h('dt', { id: `review-${q.id}` }, `${i + 1}. ${textOf(q.text)}`),
      h(
        'dd',
        {},
        h('span', { class: text ? '' : 'missing', text: text ?? tr('survey.unanswered') }),
        h(
          'button',
          {
            type: 'button',
            class: 'ghost',
            'aria-describedby': `review-${q.id}`,
            onclick: () => change(i),
          },
          tr('survey.change'),
        ),
      ),
    ];
  });
  if (instrument.callback) {
    const c = draft.contact;
    items.push(
      h('dt', { id: 'review-contact' }, tr('survey.contact.review')),
      h(
        'dd',
        {},
        h('span', { text: c ? `${c.name} ${c.phone}`.trim() : tr('survey.contact.none') }),
        h(
          'button',
          {
            type: 'button',
            class: 'ghost',
            'aria-describedby': 'review-contact',
            onclick: () => go(qs.length),
          },
          tr('survey.change'),
        ),
      ),
    );
  }
  return [
    h('h1', { id: 'q-title', tabindex: -1 }, tr('survey.review')),
    h('p', { id: 'missing', role: 'alert' }),
    h('dl', { class: 'review' }, items),
    h(
      'nav',
      { class: 'nav', 'aria-label': tr('survey.navigation') },
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'back', onclick: () => go(steps() - 1) },
        tr('survey.back'),
      ),
      h('button', { type: 'button', id: 'submit', onclick: submit }, tr('survey.submit')),
    ),
  ];
}

function thanksScreen() {
  if (invitation)
    return [
      h(
        'div',
        { class: 'thanks' },
        h('h1', { id: 'q-title', tabindex: -1, class: 'big', text: tr('survey.thanks') }),
        codePanel(),
      ),
    ];
  return [
    h(
      'div',
      { class: 'thanks' },
      h('h1', { id: 'q-title', tabindex: -1, class: 'big', text: tr('survey.thanks') }),
      h('p', { text: kiosk ? tr('survey.nextCustomer') : tr('survey.saved') }),
      kiosk
        ? null
        : h('button', { type: 'button', id: 'again', onclick: restart }, tr('survey.again')),
    ),
  ];
}

/** The response code to send to the branch: QR, text, and share or copy. */
function codePanel() {
  if (!sent || sent.error)
    return h('p', {
      class: 'error',
      role: 'alert',
      text: tr('survey.code.failed', { what: sent?.error ?? '' }),
    });
  const message = tr('survey.code.message', { code: sent.text });
  const status = h('p', { id: 'share-status', role: 'status' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(message);
      status.textContent = tr('survey.code.copied');
    } catch {
      getSelection()?.selectAllChildren(document.getElementById('response-code'));
      status.textContent = tr('survey.code.select');
    }
  };
  const share = async () => {
    try {
      await navigator.share({ title: tr('survey.code.title'), text: message });
    } catch (e) {
      if (e?.name !== 'AbortError') await copy();
    }
  };
  return h(
    'div',
    { class: 'code-panel' },
    h('p', { text: tr('survey.code.lead') }),
    qrSvg(sent.qr, tr('survey.code.qrLabel')),
    h('p', { class: 'code', id: 'response-code', text: sent.text }),
    h(
      'div',
      { class: 'actions' },
      navigator.share
        ? h('button', { type: 'button', id: 'share', onclick: share }, tr('survey.code.share'))
        : null,
      h(
        'button',
        { type: 'button', class: navigator.share ? 'secondary' : '', id: 'copy', onclick: copy },
        tr('survey.code.copy'),
      ),
    ),
    status,
  );
}

/** Packs the answers and the invitation into a response code (in the core). */
async function responseCode(codes) {
  try {
    const { core } = await import('./core.js');
    const { encodeResponse, qrCode } = await core();
    const text = encodeResponse(
      codes,
      invitation,
      secret,
      instrumentUrl ? JSON.stringify(instrument) : undefined,
    );
    return { text, qr: qrCode(text) };
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

/** Saves the response of `codes` (with its questionnaire, and the code sent back to an invitation). */
async function save(codes) {
  const now = new Date().toISOString();
  const record = {
    id: draft.id,
    // The questionnaire, so that the core never counts this response under another one.
    instrument: await keepInstrument(JSON.stringify(instrument)),
    codes,
    extras: {
      mode: 'online',
      instrument: instrument.id,
      instrument_version: instrument.version,
      submitted_at: now,
      device: await deviceId(),
    },
    exported: 0,
    savedAt: now,
  };
  // Contact details only with consent, and apart from the answers so that exports leave them out unless asked.
  if (instrument.callback && draft.contact) record.contact = { ...draft.contact, consent_at: now };
  const meta = [];
  if (invitation) {
    record.extras.invitation = invitation;
    sent = await responseCode(codes);
    // Kept with the response, so a reload of the thank-you screen shows the same code.
    if (!sent.error)
      meta.push({ key: 'sent', value: { invitation, text: sent.text, qr: sent.qr, id: draft.id } });
  }
  await submitResponse(record, { at: now, what: 'survey', detail: { id: draft.id, kiosk } }, meta);
}

async function submit() {
  const missing = questions().find(
    (q) => q.required && (draft.answers[q.id] ?? MISSING) === MISSING,
  );
  if (missing) {
    const i = questions().indexOf(missing);
    const box = $('#missing');
    box.replaceChildren(
      tr('survey.missing', { n: i + 1 }),
      ' ',
      h(
        'button',
        { type: 'button', class: 'ghost', id: 'goto-missing', onclick: () => change(i) },
        tr('survey.gotoMissing', { n: i + 1 }),
      ),
    );
    $('#goto-missing').focus();
    return;
  }
  const codes = new Uint8Array(questions().length).fill(MISSING);
  questions().forEach((q, i) => {
    const c = draft.answers[q.id];
    if (c != null) codes[i] = c;
  });
  try {
    await save(codes);
  } catch (e) {
    // Not saved: say so, keep every answer (the draft) and the review to submit again.
    console.error(e);
    showFailure(tr('survey.saveFailed', { what: String(e?.message ?? e) }));
    return;
  }
  showFailure('');
  phase = 'thanks';
  draft = null;
  render();
  if (kiosk) setTimeout(restart, resetSeconds * 1000);
}

/** The failure line above the screen (empty: hidden). */
function showFailure(text) {
  const box = $('#failure');
  box.textContent = text;
  box.hidden = !text;
}

async function restart() {
  if (kiosk && lang !== KIOSK_LANG) {
    // The next customer does not inherit the last one's language.
    lang = KIOSK_LANG;
  }
  draft = newDraft();
  phase = 'question';
  await persist();
  render();
}

/** A tap shown < SETTLE_MS ago (a double tap's 2nd half) is ignored; keys are not. */
const SETTLE_MS = 400;
let shownAt = 0;
let shownScreen = '';

/** A new screen: taps wait SETTLE_MS, then html[data-settled]. */
function settling(name) {
  if (name === shownScreen) return;
  shownScreen = name;
  const at = (shownAt = performance.now());
  delete document.documentElement.dataset.settled;
  setTimeout(() => {
    if (shownAt === at) document.documentElement.dataset.settled = 'true';
  }, SETTLE_MS);
}

/** Renders the current screen; `stay` (a question's index) shows that question again, as just answered. */
function render(stay) {
  document.documentElement.lang = lang;
  translatePage(lang);
  labelLangButton(lang);
  const exit = document.querySelector('#staff-exit');
  if (exit) exit.textContent = tr('kiosk.staff');
  if (!instrument) return;
  $('#survey-title').textContent = textOf(instrument.title);
  document.title = textOf(instrument.title);
  if (stay === undefined && phase !== 'question') fromReview = false;
  const screen =
    stay !== undefined
      ? questionScreen(stay)
      : ({ thanks: thanksScreen, review: reviewScreen, contact: contactScreen }[phase]?.() ??
        questionScreen());
  $('#screen').replaceChildren(...screen);
  const name =
    stay !== undefined ? `q${stay + 1}` : phase === 'question' ? `q${draft.pos + 1}` : phase;
  settling(name);
  document.documentElement.dataset.screen = name;
  if (stay !== undefined) return;
  $('#announce').textContent =
    phase === 'question'
      ? tr('survey.progress', { n: draft.pos + 1, total: questions().length })
      : '';
  $('#q-title').focus();
}

// A pointer's click (detail > 0) answering or moving on from a settling screen goes nowhere.
$('#screen').addEventListener(
  'click',
  (e) => {
    const t = /** @type {Element} */ (e.target);
    if (
      e.detail > 0 &&
      performance.now() - shownAt < SETTLE_MS &&
      t.closest('.option,#next,#submit')
    ) {
      e.stopImmediatePropagation();
      e.preventDefault();
    }
  },
  true,
);

$('#lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  // One kiosk customer's choice is not remembered for the next.
  if (!kiosk) saveLang(lang);
  render();
});

// ---- a closed kiosk ------------------------------------------------------------------

/** Keeps the kiosk's history inside the survey: Back lands on the survey again. */
function trapHistory() {
  history.pushState({ kiosk: true }, '', location.href);
}

/** The staff passphrase form that leaves kiosk mode. */
function staffExit() {
  const back = () => render();
  const form = h(
    'form',
    { class: 'card kiosk-exit', 'aria-labelledby': 'q-title', onsubmit: leave },
    h('h1', { id: 'q-title', tabindex: -1, text: tr('kiosk.exitTitle') }),
    h('p', { text: tr('kiosk.exitLead') }),
    h(
      'p',
      { class: 'field' },
      h('label', { for: 'kiosk-pass', text: tr('kiosk.passphrase') }),
      h('input', { id: 'kiosk-pass', type: 'password', autocomplete: 'off' }),
    ),
    h('p', { id: 'kiosk-error', class: 'error', role: 'alert' }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'kiosk-leave' }, tr('kiosk.exit')),
      h(
        'button',
        { type: 'button', class: 'secondary', id: 'kiosk-cancel', onclick: back },
        tr('kiosk.cancel'),
      ),
    ),
  );
  async function leave(e) {
    e.preventDefault();
    const vault = await import('./vault.js');
    try {
      // Unlocks this tab's staff session too: the main page opens without asking again.
      if ((await vault.vaultState()) !== 'none')
        await vault.unlock(form.querySelector('#kiosk-pass').value);
      await setKiosk(null);
      location.replace('index.html');
    } catch (err) {
      form.querySelector('#kiosk-error').textContent =
        err instanceof vault.Refused
          ? tr(err.wait ? 'kiosk.wait' : 'kiosk.wrong', { s: err.wait })
          : String(err?.message ?? err);
      form.querySelector('#kiosk-pass').select();
    }
  }
  $('#screen').replaceChildren(form);
  settling('kiosk-exit');
  document.documentElement.dataset.screen = 'kiosk-exit';
  $('#q-title').focus();
}

// Kiosk: a tablet left alone returns to the start, forgetting the unfinished answers.
let idleTimer;
function touched() {
  if (!kiosk) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(async () => {
    if (
      phase === 'thanks' ||
      lang !== KIOSK_LANG ||
      (draft && (draft.pos > 0 || Object.keys(draft.answers).length || draft.contact))
    ) {
      await clearDraft();
      await restart();
    }
  }, idleSeconds * 1000);
}
for (const ev of ['pointerdown', 'keydown', 'touchstart', 'input'])
  addEventListener(ev, touched, { passive: true });

// Keys: an option's letter or a scale's number answers; "1" (of "10") waits a
// moment for a digit or Enter; any other key says which keys work.
let pending = { digits: '', timer: 0 };
/** Drops a "1" awaiting "10": answered, or left by Back or Next. */
const drop = () => {
  clearTimeout(pending.timer);
  pending = { digits: '', timer: 0 };
};
const WAIT_MS = 700;
addEventListener('keydown', (e) => {
  if (
    phase !== 'question' ||
    e.ctrlKey ||
    e.metaKey ||
    e.altKey ||
    e.target instanceof HTMLInputElement
  )
    return;
  const q = questions()[draft.pos];
  if (!q || e.key.length !== 1 || e.key === ' ') return;
  const hint = $('#key-hint');
  if (q.kind === 'single') {
    const a = keyAnswer(q, e.key);
    if (!a || 'refused' in a) {
      const codes = q.options.map((o) => o.code);
      hint.textContent = tr('survey.keys.letters', {
        keys:
          codes.length === 2
            ? tr('survey.keys.or', { a: codes[0], b: codes[1] })
            : `${codes[0]}–${codes.at(-1)}`,
      });
      return;
    }
    e.preventDefault();
    answer(q, a.code);
    return;
  }
  e.preventDefault();
  clearTimeout(pending.timer);
  const a = keyAnswer(q, e.key, pending.digits);
  if (!a || 'refused' in a) {
    pending = { digits: '', timer: 0 };
    hint.textContent = tr('survey.keys.numbers', { min: q.min, max: q.max });
    return;
  }
  if (!a.wait) {
    answer(q, a.code);
    return;
  }
  // "1": 1 itself, or the start of 10. Shown focused; Enter takes it, a pause too.
  hint.textContent = tr('survey.keys.wait', { n: a.digits });
  const button = /** @type {HTMLElement | null} */ (
    document.querySelector(`.scale .option[data-code="${a.digits}"]`)
  );
  button?.focus();
  const code = a.code;
  pending = {
    digits: a.digits,
    timer: code != null ? setTimeout(() => answer(q, code), WAIT_MS) : 0,
  };
});

async function start() {
  try {
    instrument = await loadInstrument(instrumentUrl);
  } catch (e) {
    $('#screen').replaceChildren(
      h('p', {
        class: 'error',
        role: 'alert',
        text: tr('survey.badInstrument', { what: instrumentProblem(lang, e) }),
      }),
    );
    document.documentElement.dataset.ready = 'error';
    return;
  }
  if (invitation) {
    // A link cut short cannot make a code the branch accepts: say so before any question.
    try {
      const { core } = await import('./core.js');
      (await core()).checkInvitation(invitation, secret);
    } catch (e) {
      $('#screen').replaceChildren(
        h('p', {
          class: 'error',
          role: 'alert',
          text: tr('survey.badLink', { what: e?.message ?? String(e) }),
        }),
      );
      document.documentElement.dataset.ready = 'error';
      return;
    }
  }
  // An invited survey already submitted on this phone shows its code again.
  const done = invitation ? await loadMeta('sent') : null;
  if (done?.invitation === invitation) {
    sent = done;
    phase = 'thanks';
    draft = null;
    render();
    document.documentElement.dataset.ready = 'true';
    return;
  }
  if (await kioskMode()) {
    kiosk = closed = true;
    lang = KIOSK_LANG;
    trapHistory();
    addEventListener('popstate', () => trapHistory());
    // A kiosk page is never shown again from the back/forward cache: it starts afresh.
    addEventListener('pageshow', (e) => e.persisted && location.reload());
    $('#lang').before(
      h(
        'button',
        { type: 'button', class: 'ghost', id: 'staff-exit', onclick: staffExit },
        tr('kiosk.staff'),
      ),
    );
  } else if (kiosk) {
    lang = KIOSK_LANG;
  }
  const saved = await loadDraft();
  // A draft of another instrument (or version) cannot be resumed with this
  // one, except of a version this one revises in wording only (the instrument
  // says which; the core checked that its questions are the same).
  const resumable = [instrument.version, ...(instrument.revises ?? [])].map(
    (v) => `${instrument.id}@${v}`,
  );
  draft =
    saved && resumable.includes(saved.instrument)
      ? { ...saved, instrument: instrumentKey() }
      : newDraft();
  contact = draft.contact
    ? { ...draft.contact, consent: true }
    : { name: '', phone: '', consent: false };
  phase = phaseAt(draft.pos);
  await persist();
  render();
  touched();
  document.documentElement.dataset.ready = 'true';
  // A branch kiosk also caches the staff screens' module; a customer's phone does not.
  offline(kiosk);
}

catchFailures(
  () => $('#failure'),
  (what) => tr('app.failed', { what }),
);
start();

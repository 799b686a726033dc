// The staff side of answers from customers' own phones: a branch key made and
// kept on this device, one-time invitation links and QR codes signed with it,
// and the intake of response codes pasted or scanned back. Every check of a
// code (its check character, layout and questionnaire version, key, signature)
// is the core's; this page adds the one the core cannot make — whether this
// device has already taken the invitation — in the same transaction as the save.
import { core } from './core.js';
import { initialLang, saveLang, t, translatePage } from './i18n.js';
import './texts.js';
import { $field as $, catchFailures, h, labelLangButton } from './dom.js';
import { qrSvg } from './qr.js';
import {
  addCoded,
  addInvitations,
  branchKey,
  deviceId,
  invitations,
  saveBranchKey,
} from './storage.js';
import { staffGate } from './lock.js';

// Nothing of this screen shows before the staff passphrase (and never in kiosk mode).
await staffGate();

/** @type {'zh-CN' | 'en'} */
let lang = initialLang();
/** @type {{ key: Uint8Array, name: string, createdAt: string } | null} */
let key = null;
/** The slips shown (the last batch issued on this device, still unanswered): { token, url }. */
let issued = [];
let lastResults = [];

const tr = (k, vars) => t(lang, k, vars);
/** The status lines, as functions of the language: shown again in the other language after a switch. */
const statuses = {};
/** The note on strings that are not codes, after the outcome (a space between English sentences only). */
const ignoredNote = (others) =>
  others.length ? `${lang === 'en' ? ' ' : ''}${tr('inv.ignored', { n: others.length })}` : '';
/** Codes found a second time in the pasted text (the core's rule): taken once, said so. */
const repeatNote = (repeated) =>
  repeated.length ? `${lang === 'en' ? ' ' : ''}${tr('inv.repeated', { n: repeated.length })}` : '';
function say(id, text) {
  statuses[id] = text;
  $(`#${id}`).textContent = text();
}

// ---- the branch key ---------------------------------------------------------------

async function renderKey() {
  key = await branchKey();
  const used = (await invitations()).filter((i) => i.usedBy).length;
  $('#key-status').textContent = key
    ? tr('inv.keyIs', { name: key.name, at: new Date(key.createdAt).toLocaleString(lang), used })
    : tr('inv.noKey');
  $('#make-key').hidden = Boolean(key);
  for (const id of ['#issue-go', '#check', '#scan']) $(id).disabled = !key;
}

async function makeKey() {
  const { keyName } = await core();
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const value = { key: bytes, name: keyName(bytes), createdAt: new Date().toISOString() };
  try {
    await saveBranchKey(value, {
      at: value.createdAt,
      what: 'branch-key',
      detail: { name: value.name, device: await deviceId() },
    });
  } catch {
    // Another tab made one first: keep that one.
  }
  await renderKey();
  $('#key-status').focus?.();
}

// ---- invitations ----------------------------------------------------------------------

function surveyUrl() {
  return new URL('survey.html', location.href).href;
}

async function issue() {
  const { invitationCount } = await core();
  const count = $('#count');
  let n;
  try {
    n = invitationCount(count.value);
  } catch (error) {
    // The core's refusal (a number outside 1–200, or no number): said, and nothing issued.
    const p = error?.problems?.[0];
    if (!p) throw error;
    count.setAttribute('aria-invalid', 'true');
    const vars = { expected: p.expected, value: p.value ?? '' };
    say('issue-status', () => tr(vars.value ? 'inv.badCount' : 'inv.noCount', vars));
    count.focus();
    return;
  }
  count.removeAttribute('aria-invalid');
  const base = $('#base').value.trim() || surveyUrl();
  let url;
  try {
    url = new URL(base);
  } catch {
    say('issue-status', () => tr('inv.badBase', { base }));
    return;
  }
  const { issueToken, answerSecret } = await core();
  const now = new Date().toISOString();
  const rows = [];
  issued = [];
  for (let i = 0; i < n; i++) {
    const token = issueToken(key.key, crypto.getRandomValues(new Uint8Array(5)));
    const link = new URL(url);
    link.searchParams.set('inv', token);
    // The answer secret rides in the fragment, which browsers never send to a server.
    link.hash = `k=${answerSecret(key.key, token)}`;
    issued.push({ token, url: link.href });
    // The base is kept so that the slip can be printed again after a reload; the secret is derived again from the key.
    rows.push({ token, issuedAt: now, base: url.href });
  }
  await addInvitations(rows, { at: now, what: 'invite', detail: { count: n, key: key.name } });
  say('issue-status', () => tr('inv.issued', { n }));
  await renderSlips();
  $('#print-slips').disabled = false;
  $('#print-posters').disabled = false;
  await renderKey();
}

/** The invitation link of a stored invitation: its base, the token, the secret derived again from the key. */
function linkOf(inv, answerSecret) {
  const link = new URL(inv.base ?? surveyUrl());
  link.searchParams.set('inv', inv.token);
  link.hash = `k=${answerSecret(key.key, inv.token)}`;
  return link.href;
}

/** After a reload: the last batch issued on this device, less the invitations already answered, ready to print again. */
async function restoreSlips() {
  if (!key) return;
  const all = (await invitations()).filter((i) => i.issuedAt);
  const last = all.reduce((m, i) => (i.issuedAt > m ? i.issuedAt : m), '');
  const open = all.filter((i) => i.issuedAt === last && !i.usedBy);
  if (!open.length) return;
  const { answerSecret } = await core();
  issued = [];
  for (const inv of open) {
    try {
      issued.push({ token: inv.token, url: linkOf(inv, answerSecret) });
    } catch {
      // An invitation of another key (restored from another device) is not this key's to print.
    }
  }
  if (!issued.length) return;
  say('issue-status', () =>
    tr('inv.restored', { n: issued.length, at: new Date(last).toLocaleString(lang) }),
  );
  await renderSlips();
  $('#print-slips').disabled = false;
  $('#print-posters').disabled = false;
}

async function renderSlips() {
  const { qrCode } = await core();
  $('#slips').replaceChildren(
    ...issued.map((inv, i) =>
      h(
        'div',
        { class: 'slip', 'data-token': inv.token },
        h('p', { class: 'slip-title', text: tr('inv.slipTitle') }),
        qrSvg(qrCode(inv.url), tr('inv.qrLabel', { n: i + 1 })),
        h('p', { class: 'slip-hint', text: tr('inv.slipHint') }),
        h('p', { class: 'slip-link' }, h('a', { href: inv.url, text: inv.url })),
        h(
          'button',
          {
            type: 'button',
            class: 'ghost copy',
            'aria-label': tr('inv.copyN', { n: i + 1 }),
            onclick: () => copyLink(inv.url),
          },
          tr('inv.copy'),
        ),
      ),
    ),
  );
}

async function copyLink(url) {
  try {
    await navigator.clipboard.writeText(tr('inv.message', { url }));
    say('issue-status', () => tr('inv.copied'));
  } catch {
    say('issue-status', () => url);
  }
}

function printAs(kind) {
  document.body.dataset.print = kind;
  print();
}

// ---- intake ------------------------------------------------------------------------------

/**
 * The codes in pasted text (a chat thread may hold several, among other words
 * and numbers): the core finds the strings shaped like response codes, and
 * lists apart the other long runs of letters and digits, which are not codes.
 */
async function findCodes(text) {
  const { findCodes: find } = await core();
  return find(text);
}

async function check() {
  const { codes, others, repeated } = await findCodes($('#codes').value);
  if (!codes.length) {
    lastResults = others.map((text) => ({ text, reason: 'not_code' }));
    if (lastResults.length) renderResults();
    else $('#results').replaceChildren();
    say('intake-status', () => tr('inv.noCodes') + ignoredNote(others));
    return;
  }
  await take(codes, others, repeated);
}

/** Checks codes in the core, stores the accepted ones in one transaction, and shows every outcome (strings that are not codes apart, last). */
async function take(codes, others = [], repeated = []) {
  const { intakeCode } = await core();
  const now = new Date().toISOString();
  const device = await deviceId();
  const results = [];
  const records = [];
  for (const text of codes) {
    try {
      // The response the code makes (its id I-<token> and provenance columns are the core's);
      // this device adds when it received it and which device it is.
      const taken = intakeCode(key.key, text);
      const record = {
        id: taken.id,
        codes: Uint8Array.from(taken.codes),
        extras: { ...taken.extras, received_at: now, device },
        exported: 0,
        savedAt: now,
      };
      results.push({ text, record });
      records.push(record);
    } catch (e) {
      results.push({
        text,
        reason: e?.problems?.[0]?.code ?? 'malformed',
        message: String(e?.message ?? e),
      });
    }
  }
  if (records.length) {
    const outcome = await addCoded(records, {
      at: now,
      what: 'intake',
      detail: { codes: codes.length },
    });
    records.forEach((r, i) => {
      if (outcome[i] === 'used') {
        const res = results.find((x) => x.record === r);
        res.reason = 'used';
        delete res.record;
      }
    });
  }
  lastResults = [
    ...results,
    ...repeated.map((text) => ({ text, reason: 'repeat' })),
    ...others.map((text) => ({ text, reason: 'not_code' })),
  ];
  renderResults();
  const accepted = results.filter((r) => r.record).length;
  say(
    'intake-status',
    () =>
      tr('inv.taken', { accepted, refused: results.length - accepted }) +
      repeatNote(repeated) +
      ignoredNote(others),
  );
  if (accepted) $('#codes').value = '';
  await renderKey();
}

/** A code as written, in unbreakable groups of five that wrap only between groups. */
function groups(text) {
  const parts = text
    .trim()
    .split(/[\s-]+/)
    .flatMap((p) => p.match(/.{1,5}/g) ?? []);
  return parts
    .flatMap((p, i) => [
      i ? h('wbr') : null,
      h('span', { class: 'group', text: i < parts.length - 1 ? `${p}-` : p }),
    ])
    .filter(Boolean);
}

function renderResults() {
  if (!lastResults.length) return;
  $('#results').replaceChildren(
    h(
      'table',
      { id: 'intake-results' },
      h('caption', { text: tr('inv.results') }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: tr('inv.code') }),
          h('th', { scope: 'col', text: tr('inv.outcome') }),
        ),
      ),
      h(
        'tbody',
        {},
        lastResults.map((r) =>
          h(
            'tr',
            { 'data-outcome': r.record ? 'accepted' : r.reason },
            h('td', { class: 'code' }, h('span', { class: 'code-text' }, groups(r.text))),
            h('td', {
              class: r.record
                ? 'ok'
                : ['not_code', 'repeat'].includes(r.reason)
                  ? 'other'
                  : 'error',
              text: r.record
                ? tr('inv.accepted', { id: r.record.id })
                : tr(`inv.reason.${r.reason}`),
            }),
          ),
        ),
      ),
    ),
  );
}

// ---- the camera -------------------------------------------------------------------------

let scanning = null;

async function scan() {
  if (scanning) return stopScan();
  const video = /** @type {HTMLVideoElement} */ (document.querySelector('#camera'));
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  } catch (e) {
    say('intake-status', () => tr('inv.noCamera', { what: String(e?.message ?? e) }));
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  $('#scan').textContent = tr('inv.stopScan');
  // The browser's own detector where there is one; the core's decoder otherwise.
  const detector =
    'BarcodeDetector' in globalThis
      ? new globalThis.BarcodeDetector({ formats: ['qr_code'] })
      : null;
  // The core's decoder is a separate, larger package: fetched only when needed.
  let decodeQr = null;
  if (!detector) {
    // @ts-ignore pkg/ is built by ./dev (wasm-bindgen, without type declarations)
    const camera = await import('./pkg/camera/manyi_camera.js');
    await camera.default();
    decodeQr = camera.decodeQr;
  }
  const canvas = document.createElement('canvas');
  const seen = new Set();
  scanning = {
    stream,
    timer: setInterval(async () => {
      if (!video.videoWidth) return;
      let texts = [];
      if (detector) texts = (await detector.detect(video)).map((b) => b.rawValue);
      else {
        const w = (canvas.width = Math.min(640, video.videoWidth));
        const hgt = (canvas.height = Math.round((video.videoHeight * w) / video.videoWidth));
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, w, hgt);
        const rgba = ctx.getImageData(0, 0, w, hgt).data;
        const grey = new Uint8Array(w * hgt);
        for (let i = 0; i < grey.length; i++)
          grey[i] = (rgba[4 * i] * 77 + rgba[4 * i + 1] * 150 + rgba[4 * i + 2] * 29) >> 8;
        texts = decodeQr(w, hgt, grey);
      }
      const found = await Promise.all(texts.map(findCodes));
      const fresh = found.flatMap((f) => f.codes).filter((c) => !seen.has(c));
      for (const c of fresh) seen.add(c);
      if (fresh.length) await take(fresh);
    }, 400),
  };
}

function stopScan() {
  clearInterval(scanning.timer);
  for (const track of scanning.stream.getTracks()) track.stop();
  scanning = null;
  $('#camera').hidden = true;
  $('#scan').textContent = tr('inv.scan');
}

// ---- wiring ------------------------------------------------------------------------------

function renderTexts() {
  translatePage(lang);
  labelLangButton(lang);
  document.title = tr('inv.title');
}

$('#lang').addEventListener('click', async () => {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  saveLang(lang);
  renderTexts();
  await renderKey();
  if (issued.length) await renderSlips();
  // Status lines still showing (a test may have cleared one) follow the language.
  for (const [id, text] of Object.entries(statuses))
    if ($(`#${id}`).textContent) $(`#${id}`).textContent = text();
  renderResults();
});
$('#make-key').addEventListener('click', makeKey);
$('#issue-go').addEventListener('click', issue);
$('#print-slips').addEventListener('click', () => printAs('slips'));
$('#print-posters').addEventListener('click', () => printAs('posters'));
$('#check').addEventListener('click', check);
$('#scan').addEventListener('click', scan);

renderTexts();
$('#base').value = surveyUrl();
$('#count').max = String((await core()).maxInvitations());
catchFailures(
  () => $('#issue-status'),
  (what) => tr('app.failed', { what }),
);
await renderKey();
await restoreSlips();
document.documentElement.dataset.ready = 'true';

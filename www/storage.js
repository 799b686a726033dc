// The device's store in IndexedDB, written in transactions so that a crash or
// a closed tab leaves either the whole write or none of it. Works in the page
// and in the worker (IndexedDB exists in both). This file persists what it is
// given and reads back what it wrote: what the records mean (which
// questionnaire, which version of a response wins, what is unreadable) is the
// core's (src/store/), read through the worker.
//
// Stores:
//   chunks     out-of-line keys "<fingerprint>:<nnnn>": bulk responses as the
//              core's chunk bytes (an ArrayBuffer each), read and written only
//              by the worker (chunks.js).
//   instruments keyPath "key": { key, json } the questionnaires log records name.
//   responses  keyPath "id": the log of single responses (survey, entry,
//              invitations): { id, instrument: key, codes: Uint8Array (one code
//              per question), extras: { column: text }, exported: 0 | 1,
//              savedAt: ISO time, contact?: { name, phone, consent_at } },
//              or a deletion { id, instrument, deleted: true } of a response
//              the core keeps in its chunks
//   entries    keyPath "id": paper forms keyed once and waiting for their second,
//              blind keying (double entry): { id, codes, operator, at }. They are
//              not responses yet: reports read only the responses store.
//   invitations keyPath "token": invitations issued on this (staff) device and
//              what became of them: { token, issuedAt, usedBy?, usedAt? }
//   audit      autoIncrement: { at, what, who?, detail }
//   case_events keyPath "id": the follow-up cases' append-only log (issue 17,
//              src/cases.rs): { id, case, parent, merged?, at, who, status,
//              holder, note, due }, never changed once written
//   meta       keyPath "key": { key: "device", value: random id },
//              { key: "gen", value: n } counts every write of responses or
//              chunks, so a plan made on a snapshot is never written onto another,
//              { key: "draft", value: the survey in progress on this device },
//              { key: "branch-key", value: { key: Uint8Array(32), name, createdAt } }
//              (the key sealed once a passphrase is set),
//              { key: "vault" | "vault-tries", … } the staff lock (vault.js),
//              { key: "kiosk", value: { since } } while the device is a kiosk

//
// Encryption at rest (issue 14; seal.js, vault.js): once a staff passphrase is
// set, nothing personal is kept in clear. A record keeps in clear only the
// fields of CLEAR (ids, questionnaire key, export flag, audit time and kind);
// the rest is one envelope in its "sealed" field: under the data key when a
// staff session is unlocked, else sealed to the device's public key (the survey
// and kiosk). Chunks are envelopes under the data key. The survey's draft and
// shown code are encrypted with a key kept only in the tab's session. A device
// that never had a passphrase (a customer's own phone) keeps records as before.
import { aesKey, encryptWith, fromBase64, fromBytes, openWith, publicKey, sealTo, toBase64, toBytes } from './seal.js';

const DB_NAME = 'manyi';
const DB_VERSION = 5;

/** @type {Promise<IDBDatabase> | undefined} */
let opened;

/** Opens (and on first use creates) the database; the same promise every time. */
export function openDb() {
  opened ??= new Promise((ok, fail) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('responses')) {
        db.createObjectStore('responses', { keyPath: 'id' }).createIndex('exported', 'exported');
      }
      if (!db.objectStoreNames.contains('audit')) db.createObjectStore('audit', { autoIncrement: true });
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('entries')) db.createObjectStore('entries', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('invitations')) db.createObjectStore('invitations', { keyPath: 'token' });
      if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks');
      if (!db.objectStoreNames.contains('instruments')) db.createObjectStore('instruments', { keyPath: 'key' });
      // Version 5: follow-up case events (issue 17).
      if (!db.objectStoreNames.contains('case_events')) db.createObjectStore('case_events', { keyPath: 'id' });
    };
    req.onsuccess = () => {
      // A newer page (another tab) upgrading the database: step aside rather than block it.
      req.result.onversionchange = () => req.result.close();
      ok(req.result);
    };
    req.onerror = () => fail(req.error);
    req.onblocked = () => fail(new Error('the database is open in an older tab: close it and try again'));
  });
  return opened;
}

/** Resolves with a request's result. */
export function done(req) {
  return new Promise((ok, fail) => {
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
}

/** Resolves when a transaction commits; rejects if it aborts. */
export function committed(tx) {
  return new Promise((ok, fail) => {
    tx.oncomplete = () => ok();
    tx.onabort = () => fail(tx.error ?? new Error('the save was interrupted; nothing was stored'));
    tx.onerror = () => fail(tx.error);
  });
}

// ---- encryption at rest -------------------------------------------------------------

/** The fields each kind of record keeps in clear; everything else is sealed. */
export const CLEAR = {
  responses: ['id', 'instrument', 'exported', 'deleted'],
  entries: ['id'],
  audit: ['at', 'what'],
  branchKey: ['name', 'createdAt'],
  // A case event's note and holder may be personal: only its id and the response id stay in clear.
  case_events: ['id', 'case'],
};

/** The unlocked staff session's keys ({ dk, priv, pub }), or null. */
let keys = null;
/** Sets (or, with null, forgets) the unlocked keys for this page's or worker's reads and writes. */
export function useKeys(k) {
  keys = k;
}
/** The unlocked keys, or null. */
export const currentKeys = () => keys;

/** The device's public key to seal to: undefined until looked up, null when no passphrase was ever set. */
let devicePublic;
async function sealingKey() {
  if (devicePublic) return devicePublic;
  const db = await openDb();
  const vault = (await done(db.transaction('meta').objectStore('meta').get('vault')))?.value;
  devicePublic = vault ? await publicKey(vault.publicKey) : null;
  return devicePublic;
}

/** A record with everything but its `clear` fields in one envelope (as is on a device without a passphrase). */
export async function protectRecord(record, clear, withKeys = keys) {
  if (record == null || record.sealed) return record;
  const pub = withKeys?.dk ? null : await sealingKey();
  if (!withKeys?.dk && !pub) return record;
  const open = {};
  const secret = {};
  for (const [k, v] of Object.entries(record)) (clear.includes(k) ? open : secret)[k] = v;
  const bytes = toBytes(secret);
  return { ...open, sealed: withKeys?.dk ? await encryptWith(withKeys.dk, bytes) : await sealTo(pub, bytes) };
}

/** A record as it was before protectRecord; throws while the staff session is locked. */
export async function revealRecord(record) {
  if (!record?.sealed) return record;
  if (!keys) throw new Error('the staff session is locked: unlock it with the staff passphrase');
  const { sealed, ...open } = record;
  return { ...open, ...fromBytes(await openWith(keys, sealed)) };
}

const TAB_KEY = 'manyi.tab';
/** The key of this tab's own secrets (the survey's draft and code), made on first use. */
async function tabKey() {
  let raw = sessionStorage.getItem(TAB_KEY);
  if (!raw) {
    raw = toBase64(crypto.getRandomValues(new Uint8Array(32)));
    sessionStorage.setItem(TAB_KEY, raw);
  }
  return aesKey(fromBase64(raw));
}

/** A value only this tab can read back, on a device with a passphrase (else as is). */
async function forThisTab(value) {
  if (value == null || !(await sealingKey())) return value;
  return { tab: await encryptWith(await tabKey(), toBytes(value)) };
}

/** The value of forThisTab; null if another tab (or a closed one) wrote it. */
async function fromThisTab(value) {
  if (!value?.tab) return value ?? null;
  try {
    return fromBytes(await openWith({ dk: await tabKey() }, value.tab));
  } catch {
    return null;
  }
}

const protectAudit = (a) => protectRecord(a, CLEAR.audit);

/** This device's id, made once and kept. */
export async function deviceId() {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  const store = tx.objectStore('meta');
  let row = await done(store.get('device'));
  if (!row) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    row = { key: 'device', value: `dev-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}` };
    store.put(row);
  }
  await committed(tx);
  return row.value;
}

/** Counts a write of responses or chunks in transaction `tx` (which includes "meta"). */
function bump(tx) {
  const meta = tx.objectStore('meta');
  const req = meta.get('gen');
  req.onsuccess = () => meta.put({ key: 'gen', value: (req.result?.value ?? 0) + 1 });
}

/**
 * The key under which `json` (an instrument's text) is kept, adding it once.
 * Log records name their questionnaire by this key.
 */
export async function instrumentKey(json) {
  const known = instrumentKeys.get(json);
  if (known) return known;
  const db = await openDb();
  const tx = db.transaction('instruments', 'readwrite');
  const finished = committed(tx);
  const store = tx.objectStore('instruments');
  const all = await done(store.getAll());
  let row = all.find((r) => r.json === json);
  if (!row) {
    const rand = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
    row = { key: `i-${rand}`, json };
    store.add(row);
  }
  await finished;
  instrumentKeys.set(json, row.key);
  return row.key;
}

/** The keys found or made by this page: one look-up per questionnaire, not per response. */
const instrumentKeys = new Map();

/** The audit trail, oldest first. */
export async function auditTrail() {
  const db = await openDb();
  return Promise.all((await done(db.transaction('audit').objectStore('audit').getAll())).map(revealRecord));
}

/** Marks every stored response as exported (after a successful export). */
export async function markExported(audit) {
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['responses', 'audit'], 'readwrite');
  const finished = committed(tx);
  const store = tx.objectStore('responses');
  const req = store.index('exported').openCursor(IDBKeyRange.only(0));
  req.onsuccess = () => {
    const cursor = req.result;
    if (!cursor) return;
    cursor.update({ ...cursor.value, exported: 1 });
    cursor.continue();
  };
  if (audit) tx.objectStore('audit').add(audit);
  await finished;
}

/** How many responses are stored, and how many have not been exported yet. */
export async function counts() {
  const db = await openDb();
  const store = db.transaction('responses').objectStore('responses');
  const [total, unexported] = await Promise.all([done(store.count()), done(store.index('exported').count(IDBKeyRange.only(0)))]);
  return { total, unexported };
}

/** The survey in progress on this device (answers so far and where the person is), or null. */
export async function loadDraft() {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get('draft'));
  return fromThisTab(row?.value);
}

/** Saves the survey in progress; resolves once it is on disk. */
export async function saveDraft(draft) {
  const value = await forThisTab(draft);
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  tx.objectStore('meta').put({ key: 'draft', value });
  await committed(tx);
}

/** Forgets the survey in progress (kiosk reset). */
export async function clearDraft() {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  tx.objectStore('meta').delete('draft');
  await committed(tx);
}

/**
 * Stores a submitted response and forgets the draft in one transaction: after
 * a crash there is either the draft or the stored response, never neither.
 */
export async function submitResponse(record, audit, meta = []) {
  record = await protectRecord(record, CLEAR.responses);
  audit = await protectAudit(audit);
  meta = await Promise.all(meta.map(async (row) => ({ ...row, value: await forThisTab(row.value) })));
  const db = await openDb();
  const tx = db.transaction(['responses', 'audit', 'meta'], 'readwrite');
  const finished = committed(tx);
  bump(tx);
  tx.objectStore('responses').add(record);
  tx.objectStore('audit').add(audit);
  tx.objectStore('meta').delete('draft');
  for (const row of meta) tx.objectStore('meta').put(row);
  await finished;
}

/** A value kept in the meta store, or null. */
export async function loadMeta(key) {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get(key));
  return fromThisTab(row?.value);
}

/** Where a form id is already stored in the log: { response } or { entry } (awaiting double entry), or {}. */
export async function findId(id) {
  const db = await openDb();
  const tx = db.transaction(['responses', 'entries']);
  const [response, entry] = await Promise.all([done(tx.objectStore('responses').get(id)), done(tx.objectStore('entries').get(id))]);
  // A deletion record is no response.
  return { response: response?.deleted ? undefined : await revealRecord(response), entry: await revealRecord(entry) };
}

/** A duplicate id: the message names the id and where it already is. */
export class DuplicateId extends Error {
  constructor(id, where) {
    super(`form ${id} is already stored (${where})`);
    this.id = id;
    this.where = where;
  }
}

/**
 * Stores a first keying awaiting its double entry, refusing an id already
 * present anywhere; checked and written in one transaction.
 */
export async function addEntry(entry, audit) {
  entry = await protectRecord(entry, CLEAR.entries);
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['responses', 'entries', 'audit'], 'readwrite');
  const finished = committed(tx);
  const [response, pending] = await Promise.all([done(tx.objectStore('responses').get(entry.id)), done(tx.objectStore('entries').get(entry.id))]);
  if (response || pending) {
    tx.abort();
    await finished.catch(() => {});
    throw new DuplicateId(entry.id, response ? 'response' : 'entry');
  }
  tx.objectStore('entries').add(entry);
  tx.objectStore('audit').add(audit);
  await finished;
}

/**
 * Stores a keyed paper form as a response (single entry, or a double entry
 * agreed or resolved), removing its pending first keying, in one transaction.
 * With `replace` false an id already stored as a response is refused.
 */
export async function addKeyed(record, audit, { replace = false } = {}) {
  record = await protectRecord(record, CLEAR.responses);
  audit = await Promise.all([audit].flat().map(protectAudit));
  const db = await openDb();
  const tx = db.transaction(['responses', 'entries', 'audit', 'meta'], 'readwrite');
  const finished = committed(tx);
  bump(tx);
  const existing = await done(tx.objectStore('responses').get(record.id));
  if (existing && !replace) {
    tx.abort();
    await finished.catch(() => {});
    throw new DuplicateId(record.id, 'response');
  }
  tx.objectStore('responses').put(record);
  tx.objectStore('entries').delete(record.id);
  for (const a of [audit].flat()) tx.objectStore('audit').add(a);
  await finished;
}

/**
 * Removes a response or a pending entry by id, with its audit entry, in one
 * transaction; `tombstone` (a deletion record) takes the log's place for a
 * response the core keeps in its chunks.
 */
export async function removeId(id, audit, tombstone = null) {
  tombstone = await protectRecord(tombstone, CLEAR.responses);
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['responses', 'entries', 'audit', 'meta'], 'readwrite');
  const finished = committed(tx);
  bump(tx);
  if (tombstone) tx.objectStore('responses').put(tombstone);
  else tx.objectStore('responses').delete(id);
  tx.objectStore('entries').delete(id);
  tx.objectStore('audit').add(audit);
  await finished;
}

/** Replaces a pending entry's codes (an edit before its double entry), with its audit entry. */
export async function updateEntry(entry, audit) {
  entry = await protectRecord(entry, CLEAR.entries);
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['entries', 'audit'], 'readwrite');
  const finished = committed(tx);
  tx.objectStore('entries').put(entry);
  tx.objectStore('audit').add(audit);
  await finished;
}

/** Every pending entry (keyed once, awaiting the second keying), oldest first. */
export async function pendingEntries() {
  const db = await openDb();
  const rows = await Promise.all((await done(db.transaction('entries').objectStore('entries').getAll())).map(revealRecord));
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Every stored paper response (mode "paper"). */
export async function paperResponses() {
  const db = await openDb();
  const rows = await Promise.all((await done(db.transaction('responses').objectStore('responses').getAll())).map(revealRecord));
  return rows.filter((r) => !r.deleted && r.extras?.mode === 'paper');
}

/** Whether this device is in kiosk mode (meta "kiosk": { since }), or null. */
export async function kioskMode() {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get('kiosk'));
  return row?.value ?? null;
}

/** Puts the device into kiosk mode ({ since }) or, with null, out of it. */
export async function setKiosk(value) {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  if (value) tx.objectStore('meta').put({ key: 'kiosk', value });
  else tx.objectStore('meta').delete('kiosk');
  await committed(tx);
}

/** A setting kept on this device (meta store), or `fallback`. */
export async function setting(key, fallback) {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get(`setting:${key}`));
  return row ? row.value : fallback;
}

/** Keeps a setting on this device. */
export async function saveSetting(key, value) {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  tx.objectStore('meta').put({ key: `setting:${key}`, value });
  await committed(tx);
}

/** This device's branch key ({ key, name, createdAt }), or null. */
export async function branchKey() {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get('branch-key'));
  return row ? revealRecord(row.value) : null;
}

/** Keeps a new branch key; refuses to replace one (its invitations would stop verifying). */
export async function saveBranchKey(value, audit) {
  value = await protectRecord(value, CLEAR.branchKey);
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['meta', 'audit'], 'readwrite');
  const finished = committed(tx);
  tx.objectStore('meta').add({ key: 'branch-key', value });
  tx.objectStore('audit').add(audit);
  await finished;
}

/** Records issued invitations. */
export async function addInvitations(rows, audit) {
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['invitations', 'audit'], 'readwrite');
  const finished = committed(tx);
  for (const r of rows) tx.objectStore('invitations').put(r);
  tx.objectStore('audit').add(audit);
  await finished;
}

/** Every invitation issued on this device. */
export async function invitations() {
  const db = await openDb();
  return done(db.transaction('invitations').objectStore('invitations').getAll());
}

/**
 * Stores responses that came in as codes, in one transaction: a token already
 * used (here or earlier in the same batch) is refused, not stored. Returns, per
 * record, null if stored or "used".
 */
export async function addCoded(records, audit) {
  const sealed = await Promise.all(records.map((r) => protectRecord(r, CLEAR.responses)));
  const sealedAudit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['responses', 'invitations', 'audit', 'meta'], 'readwrite');
  const finished = committed(tx);
  bump(tx);
  const store = tx.objectStore('invitations');
  const seen = new Set();
  const outcome = [];
  for (const [i, r] of records.entries()) {
    const token = r.extras.invitation;
    const inv = await done(store.get(token));
    if (inv?.usedBy || seen.has(token)) {
      outcome.push('used');
      continue;
    }
    seen.add(token);
    store.put({ token, issuedAt: inv?.issuedAt ?? null, usedBy: r.id, usedAt: r.savedAt });
    tx.objectStore('responses').put(sealed[i]);
    outcome.push(null);
  }
  // How many were taken is known only now, inside the transaction: a count, kept beside the sealed detail.
  tx.objectStore('audit').add({ ...sealedAudit, accepted: outcome.filter((o) => o === null).length });
  await finished;
  return outcome;
}


// ---- follow-up cases (issue 17) ----------------------------------------------------

/** Every follow-up case event on the device, as written (opened with the staff keys). */
export async function caseEvents() {
  const db = await openDb();
  const rows = await done(db.transaction('case_events').objectStore('case_events').getAll());
  return Promise.all(rows.map(revealRecord));
}

/**
 * Stores one case event the core made (cases.rs next_event) with its audit
 * entry, in one transaction; an event id already stored fails the whole write.
 */
export async function addCaseEvent(event, audit) {
  const record = await protectRecord(event, CLEAR.case_events);
  audit = await protectAudit(audit);
  const db = await openDb();
  const tx = db.transaction(['case_events', 'audit'], 'readwrite');
  const finished = committed(tx);
  tx.objectStore('case_events').add(record);
  tx.objectStore('audit').add(audit);
  await finished;
}

// The device's store in IndexedDB, written in transactions so that a crash or
// a closed tab leaves either the whole write or none of it. Works in the page
// and in the worker (IndexedDB exists in both). This file persists what it is
// given and reads back what it wrote: what the records mean (which
// questionnaire, which version of a response wins, what is unreadable) is the
// core's (src/core/store/), read through the worker.
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
//              src/core/cases/): { id, case, parent, merged?, at, who, status,
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
//
// This file is what the survey needs (opening the store, the envelopes, the
// device id, drafts, saving a response, kiosk mode): a customer's phone loads
// it and nothing else of the store. storage.js adds the staff screens' reads
// and writes. seal.js is loaded only when something is to be encrypted or
// opened: a device without a passphrase (a customer's own phone) never needs it.

/** seal.js, on first use. */
const seal = () => import('./seal.js');

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
      if (!db.objectStoreNames.contains('audit'))
        db.createObjectStore('audit', { autoIncrement: true });
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'key' });
      if (!db.objectStoreNames.contains('entries'))
        db.createObjectStore('entries', { keyPath: 'id' });
      if (!db.objectStoreNames.contains('invitations'))
        db.createObjectStore('invitations', { keyPath: 'token' });
      if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks');
      if (!db.objectStoreNames.contains('instruments'))
        db.createObjectStore('instruments', { keyPath: 'key' });
      // Version 5: follow-up case events (issue 17).
      if (!db.objectStoreNames.contains('case_events'))
        db.createObjectStore('case_events', { keyPath: 'id' });
    };
    req.onsuccess = () => {
      // A newer page (another tab) upgrading the database: step aside rather than block it.
      req.result.onversionchange = () => req.result.close();
      ok(req.result);
    };
    req.onerror = () => fail(req.error);
    req.onblocked = () =>
      fail(new Error('the database is open in an older tab: close it and try again'));
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
  devicePublic = vault ? await (await seal()).publicKey(vault.publicKey) : null;
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
  const { encryptWith, sealTo, toBytes } = await seal();
  const bytes = toBytes(secret);
  return {
    ...open,
    sealed: withKeys?.dk ? await encryptWith(withKeys.dk, bytes) : await sealTo(pub, bytes),
  };
}

/** A record as it was before protectRecord; throws while the staff session is locked. */
export async function revealRecord(record) {
  if (!record?.sealed) return record;
  if (!keys) throw new Error('the staff session is locked: unlock it with the staff passphrase');
  const { sealed, ...open } = record;
  const { fromBytes, openWith } = await seal();
  return { ...open, ...fromBytes(await openWith(keys, sealed)) };
}

const TAB_KEY = 'manyi.tab';
/** The key of this tab's own secrets (the survey's draft and code), made on first use. */
async function tabKey() {
  const { aesKey, fromBase64, toBase64 } = await seal();
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
  const { encryptWith, toBytes } = await seal();
  return { tab: await encryptWith(await tabKey(), toBytes(value)) };
}

/** The value of forThisTab; null if another tab (or a closed one) wrote it. */
async function fromThisTab(value) {
  if (!value?.tab) return value ?? null;
  try {
    const { fromBytes, openWith } = await seal();
    return fromBytes(await openWith({ dk: await tabKey() }, value.tab));
  } catch {
    return null;
  }
}

export const protectAudit = (a) => protectRecord(a, CLEAR.audit);

/** This device's id, made once and kept. */
export async function deviceId() {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  const store = tx.objectStore('meta');
  let row = await done(store.get('device'));
  if (!row) {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    row = {
      key: 'device',
      value: `dev-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`,
    };
    store.put(row);
  }
  await committed(tx);
  return row.value;
}

/** Counts a write of responses or chunks in transaction `tx` (which includes "meta"). */
export function bump(tx) {
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
    const rand = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    row = { key: `i-${rand}`, json };
    store.add(row);
  }
  await finished;
  instrumentKeys.set(json, row.key);
  return row.key;
}

/** The keys found or made by this page: one look-up per questionnaire, not per response. */
const instrumentKeys = new Map();

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
  meta = await Promise.all(
    meta.map(async (row) => ({ ...row, value: await forThisTab(row.value) })),
  );
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

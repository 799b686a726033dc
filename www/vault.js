// The staff passphrase and the keys it guards (the rules — length, iterations,
// how long a wrong try waits — are the core's, src/core/lock.rs).
//
// meta "vault" (in clear: nothing in it opens anything without the passphrase):
//   { v: 1, iterations, salt, wrapped: envelope of the 32-byte data key under
//     PBKDF2-SHA-256(passphrase, salt, iterations), publicKey: raw P-256 point,
//     privateKey: envelope 1 of its PKCS#8 under the data key, createdAt }
// meta "vault-tries": { failures, at } wrong tries in a row, for the delay.
// sessionStorage "manyi.staff": the data key while this tab's staff session is
//   unlocked (base64) and when it was last used; gone on Lock, after
//   IDLE_MINUTES without use, or when the tab closes. Kiosk mode removes it.
import {
  aesKey,
  encryptWith,
  fromBase64 as unb64,
  isEnvelope,
  openWith,
  publicKey,
  toBase64 as b64,
} from './seal.js';
import { committed, done, openDb, useKeys } from './db.js';
// The rules come from the core in the worker: the main page never loads the WebAssembly itself.
import { ask } from './worker-bridge.js';

const lockRules = () => ask('lock.rules');
const checkPassphrase = (passphrase) => ask('lock.check', { passphrase });

const SESSION = 'manyi.staff';
/** A staff session locks itself after this long untouched. */
export const IDLE_MINUTES = 15;
const subtle = crypto.subtle;

async function meta(key) {
  const db = await openDb();
  return (await done(db.transaction('meta').objectStore('meta').get(key)))?.value ?? null;
}

/** The key that wraps the data key, from the passphrase. */
async function wrappingKey(passphrase, salt, iterations) {
  const base = await subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** 'none' (no passphrase set yet), 'locked' or 'unlocked' (in this tab). */
export async function vaultState() {
  if (!(await meta('vault'))) return 'none';
  return (await sessionKeys()) ? 'unlocked' : 'locked';
}

/** The keys of this tab's unlocked staff session ({ dk, priv, raw }), or null. */
export async function sessionKeys() {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
  } catch {
    saved = null;
  }
  if (!saved) return null;
  if (Date.now() - saved.at > IDLE_MINUTES * 60_000) {
    lock();
    return null;
  }
  const vault = await meta('vault');
  if (!vault) return null;
  const raw = unb64(saved.dk);
  const dk = await aesKey(raw);
  const pkcs8 = await openWith({ dk }, vault.privateKey).catch(() => null);
  if (!pkcs8) {
    lock();
    return null;
  }
  const priv = await subtle.importKey(
    'pkcs8',
    pkcs8,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    ['deriveBits'],
  );
  touch();
  const keys = { dk, priv, pub: await publicKey(vault.publicKey) };
  useKeys(keys);
  return keys;
}

/** Whether this tab's staff session is still unlocked (without counting this as use). */
export function sessionAlive() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
    return Boolean(saved) && Date.now() - saved.at <= IDLE_MINUTES * 60_000;
  } catch {
    return false;
  }
}

/** Notes that the staff session is in use (postpones the idle lock). */
export function touch() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION) ?? 'null');
    if (saved) sessionStorage.setItem(SESSION, JSON.stringify({ ...saved, at: Date.now() }));
  } catch {
    /* nothing to postpone */
  }
}

/** Ends this tab's staff session: the data key is forgotten. */
export function lock() {
  sessionStorage.removeItem(SESSION);
  useKeys(null);
}

function remember(raw) {
  sessionStorage.setItem(SESSION, JSON.stringify({ dk: b64(raw), at: Date.now() }));
}

/**
 * Sets the staff passphrase on a device that has none: makes the data key and
 * the device's key pair, and encrypts everything already stored. Throws the
 * core's reason for a passphrase too weak.
 */
export async function createVault(passphrase) {
  await checkPassphrase(passphrase);
  const { iterations } = await lockRules();
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const dk = await aesKey(raw);
  const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ]);
  const vault = {
    v: 1,
    iterations,
    salt,
    wrapped: await encryptWith(await wrappingKey(passphrase, salt, iterations), raw),
    publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)),
    privateKey: await encryptWith(
      dk,
      new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)),
    ),
    createdAt: new Date().toISOString(),
  };
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  const finished = committed(tx);
  // Another tab set one first: keep that one (its data key already encrypts data).
  tx.objectStore('meta').add({ key: 'vault', value: vault });
  await finished;
  remember(raw);
  const keys = await sessionKeys();
  await sealEverything(keys);
  return keys;
}

/** Seconds to wait before the next try (0: try now). */
export async function waitSeconds() {
  const tries = await meta('vault-tries');
  if (!tries?.failures) return 0;
  const { delay } = await lockRules();
  const wait = delay[Math.min(tries.failures, delay.length - 1)];
  return Math.max(0, Math.ceil((tries.at + wait * 1000 - Date.now()) / 1000));
}

async function noteTry(ok) {
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  const store = tx.objectStore('meta');
  const before = (await done(store.get('vault-tries')))?.value ?? { failures: 0 };
  store.put({
    key: 'vault-tries',
    value: ok ? { failures: 0, at: Date.now() } : { failures: before.failures + 1, at: Date.now() },
  });
  await committed(tx);
}

/** Thrown for a wrong passphrase or while a wrong try's delay runs ({ wait } seconds). */
export class Refused extends Error {
  constructor(wait) {
    super(wait ? `wait ${wait} s` : 'wrong passphrase');
    this.wait = wait;
  }
}

/** The data key for `passphrase`, or a Refused. Counts wrong tries. */
async function unwrap(passphrase) {
  const wait = await waitSeconds();
  if (wait > 0) throw new Refused(wait);
  const vault = await meta('vault');
  const kek = await wrappingKey(passphrase, vault.salt, vault.iterations);
  const raw = await openWith({ dk: kek }, vault.wrapped).catch(() => null);
  await noteTry(Boolean(raw));
  if (!raw) throw new Refused(await waitSeconds());
  return raw;
}

/** Unlocks this tab's staff session; throws Refused for a wrong passphrase. */
export async function unlock(passphrase) {
  remember(await unwrap(passphrase));
  const keys = await sessionKeys();
  await sealEverything(keys);
  return keys;
}

/** Checks the passphrase without keeping a session (leaving kiosk mode). */
export async function verify(passphrase) {
  await unwrap(passphrase);
}

/** Replaces the passphrase: the data key, and so the data, stay as they are. */
export async function changePassphrase(old, passphrase) {
  await checkPassphrase(passphrase);
  const raw = await unwrap(old);
  const vault = await meta('vault');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const wrapped = await encryptWith(await wrappingKey(passphrase, salt, vault.iterations), raw);
  const db = await openDb();
  const tx = db.transaction('meta', 'readwrite');
  tx.objectStore('meta').put({
    key: 'vault',
    value: { ...vault, salt, wrapped, changedAt: new Date().toISOString() },
  });
  await committed(tx);
}

/** Whether a stored value is still in clear (a chunk that is not an envelope, as chunks.js reads it; a record without one). */
const inClear = (store, value) =>
  store === 'chunks'
    ? value != null && !isEnvelope(new Uint8Array(value))
    : store === 'meta'
      ? Boolean(value?.value?.key)
      : value && !value.sealed;

/**
 * Encrypts whatever is still in clear (a device from before the lock, or
 * responses a customer's phone wrote before it became a staff device): chunks
 * under the data key, the payload of log records, pending entries and audit
 * entries, and the branch key. Each record is replaced only if it is still the
 * one read (another tab may have written meanwhile; whatever it wrote with the
 * lock set is already encrypted). Done once: the vault then says so.
 */
async function sealEverything(keys) {
  if (!keys) return;
  const vault = await meta('vault');
  if (vault?.sealedAll) return;
  const { protectRecord, CLEAR } = await import('./db.js');
  const db = await openDb();
  const names = ['chunks', 'responses', 'entries', 'audit', 'meta'];
  const read = db.transaction(names);
  const all = await Promise.all(
    names.map((n) =>
      Promise.all([done(read.objectStore(n).getAllKeys()), done(read.objectStore(n).getAll())]),
    ),
  );
  /** @type {Array<[string, any, IDBValidKey, boolean?]>} */
  const puts = [];
  const [chunks, responses, entries, audit, metaRows] = all;
  chunks[1].forEach((bytes, i) => {
    if (inClear('chunks', bytes))
      puts.push([
        'chunks',
        encryptWith(keys.dk, new Uint8Array(bytes)).then((e) => e.buffer),
        chunks[0][i],
      ]);
  });
  for (const [store, [ks, rows]] of /** @type {Array<[string, [IDBValidKey[], any[]]]>} */ ([
    ['responses', responses],
    ['entries', entries],
    ['audit', audit],
  ])) {
    rows.forEach((r, i) => {
      if (inClear(store, r))
        puts.push([store, protectRecord(r, CLEAR[store], keys), ks[i], store === 'audit']);
    });
  }
  for (const row of metaRows[1]) {
    if (row.key === 'branch-key' && inClear('meta', row))
      puts.push([
        'meta',
        protectRecord(row.value, CLEAR.branchKey, keys).then((value) => ({
          key: 'branch-key',
          value,
        })),
        'branch-key',
      ]);
  }
  const ready = await Promise.all(
    puts.map(async ([store, value, key, outOfLine]) => [
      store,
      await value,
      key,
      outOfLine ?? store === 'chunks',
    ]),
  );
  const tx = db.transaction(names, 'readwrite');
  const finished = committed(tx);
  let skipped = 0;
  for (const [store, value, key, outOfLine] of ready) {
    const os = tx.objectStore(store);
    const now = os.get(key);
    now.onsuccess = () => {
      if (!inClear(store, now.result)) return void skipped++;
      if (outOfLine) os.put(value, key);
      else os.put(value);
    };
  }
  const again = tx.objectStore('meta').get('vault');
  again.onsuccess = () => {
    if (again.result && !skipped)
      tx.objectStore('meta').put({
        key: 'vault',
        value: { ...again.result.value, sealedAll: true },
      });
  };
  await finished;
}

/**
 * An encrypted copy of a backup file for safekeeping (its own passphrase,
 * PBKDF2 as for the lock); the file's format is the core's (src/core/sealed_backup.rs).
 */
export async function encryptBackup(bytes, passphrase) {
  await checkPassphrase(passphrase);
  const { iterations } = await lockRules();
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const data = await encryptWith(await wrappingKey(passphrase, salt, iterations), bytes);
  return (await ask('sealed.write', { iterations, salt, data })).bytes;
}

/** Whether `bytes` are an encrypted backup (the file must then be opened with its passphrase). */
export function isEncryptedBackup(bytes) {
  return ask('sealed.is', { head: bytes.slice(0, 200) });
}

/** An encrypted backup's envelope, checked by the core: throws, naming the field, for one that cannot be opened. */
export function readSealedBackup(bytes) {
  return ask('sealed.read', { bytes });
}

/**
 * The backup inside an encrypted one, given its envelope as `readSealedBackup` returned it
 * (read once, however many passphrases are tried); throws Refused for a wrong passphrase.
 */
export async function decryptBackup(file, passphrase) {
  const kek = await wrappingKey(passphrase, file.salt, file.iterations);
  const plain = await openWith({ dk: kek }, file.data).catch(() => null);
  if (!plain) throw new Refused(0);
  return plain;
}

export { checkPassphrase };

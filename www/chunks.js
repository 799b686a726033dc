// The worker's side of the device store: reading a consistent snapshot for
// the core and writing what the core computed from it, only if nothing was
// written since (the "gen" write count in meta). Kept apart from db.js
// so that the customer survey's first load does not carry it.
//
// Chunks and log records are encrypted at rest (db.js, seal.js): they are
// opened here with the unlocked keys before the core sees them, and chunks the
// core wrote are encrypted before the transaction that stores them opens.
import { CLEAR, currentKeys, done, committed, openDb, protectRecord, revealRecord } from './db.js';
import { encryptWith, isEnvelope, openWith } from './seal.js';

/** A stored chunk's bytes as the core wrote them. */
async function openChunk(buffer) {
  const bytes = new Uint8Array(buffer);
  if (!isEnvelope(bytes)) return bytes;
  const keys = currentKeys();
  if (!keys) throw new Error('the staff session is locked: unlock it with the staff passphrase');
  return openWith(keys, bytes);
}

/**
 * Everything the core needs to load the device, read in one transaction (a
 * consistent snapshot): the write count, instruments, chunks and log records.
 */
export async function readSnapshot() {
  const db = await openDb();
  const tx = db.transaction(['meta', 'instruments', 'chunks', 'responses']);
  const [gen, instruments, chunkKeys, chunks, log] = await Promise.all([
    done(tx.objectStore('meta').get('gen')),
    done(tx.objectStore('instruments').getAll()),
    done(tx.objectStore('chunks').getAllKeys()),
    done(tx.objectStore('chunks').getAll()),
    done(tx.objectStore('responses').getAll()),
  ]);
  return {
    gen: gen?.value ?? 0,
    instruments,
    chunks: await Promise.all(
      chunks.map(async (bytes, i) => ({
        key: String(chunkKeys[i]),
        bytes: await openChunk(bytes),
      })),
    ),
    log: await Promise.all(log.map(revealRecord)),
  };
}

/** The write count alone (has anything changed since a snapshot?). */
export async function generation() {
  const db = await openDb();
  const row = await done(db.transaction('meta').objectStore('meta').get('gen'));
  return row?.value ?? 0;
}

/**
 * Writes what the core computed from the snapshot of write count `gen`, in one
 * transaction, only if nothing was written since: per questionnaire, its new
 * chunks (replacing its old ones) and the log records they replace (`dropLog`)
 * or mark exported (`markLog`); then `puts` ([store, value] pairs), restored
 * keyed forms (`entries`, added where their id is free), restored
 * `invitations` and audit entries. Resolves true when written, false (nothing written) if the store
 * changed since the snapshot.
 */
export async function writeIfUnchanged(
  gen,
  { writes = [], puts = [], entries = [], audit = [], invitations = [] },
) {
  // Everything encrypted first: a transaction cannot wait for WebCrypto.
  const keys = currentKeys();
  const seal = (bytes) => (keys ? encryptWith(keys.dk, bytes) : bytes);
  writes = await Promise.all(
    writes.map(async (w) => ({ ...w, chunks: await Promise.all(w.chunks.map(seal)) })),
  );
  puts = await Promise.all(
    puts.map(async ([store, value]) => {
      if (store === 'entries') return [store, await protectRecord(value, CLEAR.entries)];
      if (store === 'meta' && value.key === 'branch-key')
        return [store, { ...value, value: await protectRecord(value.value, CLEAR.branchKey) }];
      if (store === 'case_events') return [store, await protectRecord(value, CLEAR.case_events)];
      return [store, value];
    }),
  );
  entries = await Promise.all(entries.map((e) => protectRecord(e, CLEAR.entries)));
  audit = await Promise.all(audit.filter(Boolean).map((a) => protectRecord(a, CLEAR.audit)));
  const db = await openDb();
  const tx = db.transaction(
    ['meta', 'chunks', 'responses', 'audit', 'entries', 'invitations', 'case_events'],
    'readwrite',
  );
  const finished = committed(tx);
  let stale = false;
  const meta = tx.objectStore('meta');
  const req = meta.get('gen');
  req.onsuccess = () => {
    const now = req.result?.value ?? 0;
    if (now !== gen) {
      stale = true;
      tx.abort();
      return;
    }
    const chunks = tx.objectStore('chunks');
    const log = tx.objectStore('responses');
    for (const w of writes) {
      chunks.delete(IDBKeyRange.bound(`${w.fingerprint}:`, `${w.fingerprint};`, false, true));
      w.chunks.forEach((bytes, i) =>
        chunks.put(bytes.buffer, `${w.fingerprint}:${String(i).padStart(4, '0')}`),
      );
      for (const key of w.dropLog ?? []) log.delete(key);
      for (const key of w.markLog ?? []) {
        const r = log.get(key);
        r.onsuccess = () => {
          if (r.result) log.put({ ...r.result, exported: 1 });
        };
      }
    }
    for (const [store, value] of puts) tx.objectStore(store).put(value);
    // Restored keyed forms (the core's plan): added only where the id is still
    // free, never over a form keyed here meanwhile.
    const pending = tx.objectStore('entries');
    for (const e of entries) {
      const r = pending.getKey(e.id);
      r.onsuccess = () => {
        if (r.result === undefined) pending.add(e);
      };
    }
    // Restored invitations: an invitation used on either device stays used.
    const invs = tx.objectStore('invitations');
    for (const inv of invitations) {
      const r = invs.get(inv.token);
      r.onsuccess = () => {
        if (!r.result || (inv.usedBy && !r.result.usedBy)) invs.put(inv);
      };
    }
    for (const entry of audit) if (entry) tx.objectStore('audit').add(entry);
    meta.put({ key: 'gen', value: now + 1 });
  };
  try {
    await finished;
    return true;
  } catch (e) {
    if (stale) return false;
    throw e;
  }
}

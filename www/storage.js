// The staff screens' reads and writes of the device's store: the audit trail,
// paper entries, invitations, branch key, settings and follow-up cases. The
// stores, the opening of the database, the encryption envelopes and what the
// survey writes are in db.js, re-exported here so that a staff page imports
// everything from one place.
import {
  CLEAR,
  bump,
  committed,
  done,
  openDb,
  protectAudit,
  protectRecord,
  revealRecord,
} from './db.js';

export * from './db.js';

/** The audit trail, oldest first (by time: a restored backup's entries are written after this device's). */
export async function auditTrail() {
  const db = await openDb();
  const trail = await Promise.all(
    (await done(db.transaction('audit').objectStore('audit').getAll())).map(revealRecord),
  );
  const time = (a) => Date.parse(a?.at) || 0;
  return trail.sort((a, b) => time(a) - time(b));
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
  const [total, unexported] = await Promise.all([
    done(store.count()),
    done(store.index('exported').count(IDBKeyRange.only(0))),
  ]);
  return { total, unexported };
}

/** Where a form id is already stored in the log: { response } or { entry } (awaiting double entry), or {}. */
export async function findId(id) {
  const db = await openDb();
  const tx = db.transaction(['responses', 'entries']);
  const [response, entry] = await Promise.all([
    done(tx.objectStore('responses').get(id)),
    done(tx.objectStore('entries').get(id)),
  ]);
  // A deletion record is no response.
  return {
    response: response?.deleted ? undefined : await revealRecord(response),
    entry: await revealRecord(entry),
  };
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
  const [response, pending] = await Promise.all([
    done(tx.objectStore('responses').get(entry.id)),
    done(tx.objectStore('entries').get(entry.id)),
  ]);
  // A deletion record (a deleted form the core kept in its chunks) holds no form.
  const held = response && !response.deleted;
  if (held || pending) {
    tx.abort();
    await finished.catch(() => {});
    throw new DuplicateId(entry.id, held ? 'response' : 'entry');
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
  // Keying a deleted form again replaces its deletion record.
  if (existing && !existing.deleted && !replace) {
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
  const rows = await Promise.all(
    (await done(db.transaction('entries').objectStore('entries').getAll())).map(revealRecord),
  );
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Every stored paper response (mode "paper"). */
export async function paperResponses() {
  const db = await openDb();
  const rows = await Promise.all(
    (await done(db.transaction('responses').objectStore('responses').getAll())).map(revealRecord),
  );
  return rows.filter((r) => !r.deleted && r.extras?.mode === 'paper');
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
  tx.objectStore('audit').add({
    ...sealedAudit,
    accepted: outcome.filter((o) => o === null).length,
  });
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

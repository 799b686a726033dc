// Heavy work off the main thread: reading files, loading the device's store
// into the core, planning and writing imports, exports and backups, the
// dashboard's views. The page sends one request at a time and gets progress
// and a result. Every rule is the core's (DeviceStore, Incoming, Dataset);
// this file moves bytes between IndexedDB and the core.
// prettier-ignore
// @ts-ignore: pkg/ is wasm-bindgen's output, built without type declarations (./dev build).
import init, { Dataset, DeviceStore, Incoming, checkPassphrase, editChanges, entryDisagreements, entryTally, fileKind, isSealedBackup, lockRules, mergeCaseEvents, readSealedBackup, seedHashing, verifyEntry, writeSealedBackup } from './pkg/manyi.js';
import {
  addCaseEvent,
  auditTrail,
  branchKey,
  caseEvents,
  deviceId,
  invitations,
  pendingEntries,
  useKeys,
} from './storage.js';
import { generation, readSnapshot, writeIfUnchanged } from './chunks.js';
import { toBase64 } from './seal.js';

/** The wasm instance's exports (its memory is measured by the benchmark). */
let wasm = null;

// Hashes of ids from files are keyed with randomness only the page has (wasm has none).
const ready = init().then((exports) => {
  wasm = exports;
  seedHashing(crypto.getRandomValues(new Uint8Array(16)));
});

/** The device as loaded into the core, and the write count it was loaded at. */
let loaded = null;

/** The pending import between its preview and its commit. */
let pending = null;

/** A core error as a plain object the page can show (line, column, value…). */
function plainError(e) {
  return {
    message: String(e?.message ?? e),
    kind: e?.kind,
    problems: e?.problems ?? [],
    total: e?.total ?? 0,
  };
}

/** The extra columns of a log record as names and values (own properties only). */
function extrasOf(r) {
  const pairs = Array.isArray(r.extras) ? r.extras : Object.entries(r.extras ?? {});
  return [pairs.map(([k]) => String(k)), pairs.map(([, v]) => String(v ?? ''))];
}

/** The device's store, loaded into the core (again only if anything was written since). */
async function device() {
  await ready;
  if (loaded && loaded.gen === (await generation())) return loaded;
  loaded?.store.free();
  loaded = null;
  const started = performance.now();
  const snap = await readSnapshot();
  const read = performance.now();
  const store = new DeviceStore();
  for (const i of snap.instruments) store.addInstrument(String(i.key), String(i.json));
  for (const c of snap.chunks) store.addChunk(c.key, c.bytes);
  for (const r of snap.log) {
    const [names, values] = extrasOf(r);
    const contact = r.contact
      ? [
          String(r.contact.name ?? ''),
          String(r.contact.phone ?? ''),
          String(r.contact.consent_at ?? ''),
        ]
      : [];
    const codes = r.codes instanceof Uint8Array ? r.codes : new Uint8Array(0);
    store.addLog(
      String(r.id),
      String(r.id ?? ''),
      String(r.instrument ?? ''),
      codes,
      names,
      values,
      contact,
      r.exported === 1,
      r.deleted === true,
    );
  }
  loaded = { gen: snap.gen, store, summary: store.summary() };
  // For the benchmark (bench/store.mjs): reading IndexedDB, and the core's load.
  loaded.summary.ms = {
    read: read - started,
    load: performance.now() - read,
    wasmMb: wasm.memory.buffer.byteLength / 1048576,
  };
  // Single responses pile up in the log; the core folds them into chunks
  // when it says so (written only if nothing was written since this snapshot).
  if (store.shouldCompact()) {
    const writes = store.compact();
    if (await writeIfUnchanged(snap.gen, { writes })) loaded.gen = snap.gen + 1;
    else forget();
    return loaded ?? device();
  }
  return loaded;
}

/**
 * Forgets the loaded device (after a write that did not happen, or when its
 * responses moved out); freeing a million rows takes a while, so it is done
 * after the reply has gone.
 */
function forget() {
  const old = loaded;
  loaded = null;
  if (old) setTimeout(() => old.store.free(), 2000);
}

/** The questionnaire to show: the one asked for if held, else the core's first. */
function choose(summary, fingerprint) {
  const sets = summary.sets;
  return sets.find((s) => s.fingerprint === fingerprint) ?? sets[0] ?? null;
}

/**
 * The preview of an import, planned against the device as it is now. The
 * file's bytes are kept with it: an import moves the file's rows into the
 * device, so planning again after a write that did not happen reads them again.
 */
async function plan(name, bytes, incoming) {
  const dev = await device();
  // An older backup never brings back what was deleted here since it was made (the core's rule).
  const gone = incoming.leaveOutDeleted(await auditTrail());
  const left = gone.length ? gone : (pending?.left ?? []);
  const p = dev.store.planImport(incoming);
  // A backup's paper forms keyed once: what restoring them would do (the core's plan).
  const entries = dev.store.planEntries(incoming, await pendingEntries());
  // A backup's branch key: restored only where this device has none (the core's rule).
  const mine = await branchKey();
  const key = incoming.keyRestore(mine?.key, mine?.name);
  pending = { name, bytes, incoming, gen: dev.gen, left };
  return { name, ...p, waiting: waitingSummary(entries), left, key };
}

/** The pending import planned again (read again first if its rows moved into the device). */
async function planAgain() {
  const { name, bytes } = pending;
  if (pending.incoming.spent) {
    pending.incoming.free();
    pending.incoming = await readIncoming(name, bytes);
  }
  return plan(name, bytes, pending.incoming);
}

/** The dashboard's data: loaded once, then filtered for each view. */
let board = null;
/** The call-back contacts of the dashboard's data ([{id, name, phone, consent_at}]; none for a file). */
let boardContacts = [];

/** A file's (first) questionnaire as a data set: the report and the dashboard read files this way. */
const fileDataset = async (name, bytes) => (await readIncoming(name, bytes)).intoDataset(0);

/** The bootstrap's seed for the key drivers: the CLI's default (--seed 1), so the page and `manyi drivers` agree. */
const DRIVERS_SEED = 1;
/** The key drivers of the last filter (a cross-tab or a period change keeps the filter: no new bootstrap). */
let driversFor = null;

/**
 * `f` on the loaded data under `filter`: the data itself when the filter keeps
 * every response, else a filtered copy, freed once `f` returns.
 */
function underFilter(filter, f) {
  if (!board) throw new Error('no data loaded');
  const all = board.keepsAll(filter);
  const ds = all ? board : board.filtered(filter);
  try {
    return f(ds);
  } finally {
    if (!all) ds.free();
  }
}

/** `f()`, or the core's refusal as a plain error the page shows in its place. */
function attempt(f) {
  try {
    return f();
  } catch (e) {
    return { error: plainError(e) };
  }
}

const handlers = {
  /** The page's unlocked staff keys ({ dk, priv, pub } CryptoKeys, or null when locked). */
  async keys({ keys }) {
    useKeys(keys ?? null);
    // What was loaded with other keys (or none) is loaded again.
    forget();
    return {};
  },

  /** The staff lock's rules (src/core/lock.rs): iterations, shortest passphrase, delay after wrong tries. */
  async 'lock.rules'() {
    await ready;
    return lockRules();
  },

  /** Checks a new passphrase; fails with the core's reason. */
  async 'lock.check'({ passphrase }) {
    await ready;
    checkPassphrase(String(passphrase ?? ''));
    return {};
  },

  /** The device's questionnaires, counts and anything that could not be read. */
  async 'store.summary'() {
    const dev = await device();
    return dev.summary;
  },

  /**
   * The responses of the questionnaire `instrument` (its JSON text) keyed on
   * paper, as records { id, codes, extras } for the entry screen's list and edits.
   */
  async 'store.paper'({ instrument }) {
    const dev = await device();
    const ds = dev.store.rowsWhere(instrument, 'mode', 'paper');
    try {
      const ids = ds.ids();
      const codes = ds.codesByRow();
      const names = ds.extraNames();
      const values = ds.extraValues();
      const q = ids.length ? codes.length / ids.length : 0;
      return ids.map((id, r) => ({
        id,
        codes: codes.slice(r * q, r * q + q),
        extras: Object.fromEntries(names.map((n, j) => [n, values[r * names.length + j]])),
      }));
    } finally {
      ds.free();
    }
  },

  /**
   * The records the core could not read, as they are kept (log records with
   * their codes as arrays, chunks in base64, questionnaires as text) with the
   * reasons, in one JSON file for an administrator.
   */
  async 'store.exportQuarantine'({ day: stamp }) {
    const dev = await device();
    const snap = await readSnapshot();
    const bad = dev.summary.quarantine;
    const keys = (what) => new Set(bad.filter((q) => q.what === what).map((q) => q.key));
    const [logKeys, chunkKeys, instrumentKeys] = [keys('log'), keys('chunk'), keys('instrument')];
    const file = {
      format: 'manyi-quarantine',
      created: new Date().toISOString(),
      reasons: bad,
      log: snap.log
        .filter((r) => logKeys.has(String(r.id)))
        .map((r) => ({ ...r, codes: Array.from(r.codes ?? []) })),
      chunks: snap.chunks
        .filter((c) => chunkKeys.has(c.key))
        .map((c) => ({ key: c.key, base64: toBase64(c.bytes) })),
      instruments: snap.instruments.filter((i) => instrumentKeys.has(String(i.key))),
    };
    return {
      name: `manyi-unreadable-${stamp}.json`,
      mime: 'application/json',
      bytes: new TextEncoder().encode(JSON.stringify(file, null, 1)),
    };
  },

  /** Whether a response with this id is held (the entry screen's duplicate check). */
  async 'store.holds'({ responseId }) {
    const dev = await device();
    return dev.store.holds(responseId);
  },

  /** Loads the dashboard's data: one questionnaire of the device's store, or a file (the demo data is one). */
  async 'dash.open'({ source, name, bytes, fingerprint }) {
    await ready;
    board?.free();
    board = null;
    driversFor = null;
    let sets = [];
    let chosen = null;
    if (source === 'store') {
      const dev = await device();
      sets = dev.summary.sets;
      chosen = choose(dev.summary, fingerprint);
      // The dashboard only reads: the responses move out of the loaded device
      // (no copy), which is loaded again when next needed.
      // The follow-up cases show consented call-back contacts: taken before the responses move out.
      boardContacts = chosen ? dev.store.callBacks(chosen.fingerprint) : [];
      board = chosen ? dev.store.takeDataset(chosen.fingerprint) : Dataset.empty();
      if (chosen) forget();
    } else {
      boardContacts = [];
      board = await fileDataset(name, bytes);
    }
    const extras = board.extraNames();
    const dateColumns = attempt(() => board.dateColumns());
    return {
      n: board.length,
      instrument: board.instrument(),
      sets,
      fingerprint: chosen?.fingerprint ?? null,
      modes: extras.includes('mode') ? board.distinct('mode', 20) : [],
      // The date filter's columns are the core's (filter.rs DATE_COLUMNS).
      dated: board.hasDates(),
      // The columns holding dates, best first (the trend's choice of column).
      dateColumns: Array.isArray(dateColumns) ? dateColumns : [],
    };
  },

  /** The worker's WebAssembly memory, in MB (for the benchmark). */
  async 'bench.memory'() {
    await ready;
    return wasm.memory.buffer.byteLength / 1048576;
  },

  /**
   * One view of the dashboard under a filter: the report, a cross-tab, NPS by
   * a question, and the follow-up list (its first `limit` entries, with their answers).
   * `trend`: NPS per `period` by `dateColumn` (null: the core's default date
   * columns), only when the data has dates, on the filtered rows; `{ error }`
   * when the core refuses. The key drivers come apart ('dash.drivers').
   */
  async 'dash.view'({
    filter,
    row,
    col,
    by,
    limit = 200,
    period = 'month',
    dateColumn = null,
    dates = false,
  }) {
    const started = performance.now();
    return underFilter(filter, (ds) => {
      const dated = filter?.from || filter?.to;
      const undated = dated ? board.filterCounts(filter).undated : 0;
      const n = ds.length;
      const followUp = ds.followUpList(limit);
      const listed = ds.rows(Uint32Array.from(followUp.items, (f) => f.row));
      const followCodes = listed.codesByRow();
      listed.free();
      return {
        trend: n && dates ? attempt(() => ds.trend(dateColumn, period)) : null,
        n,
        total: board.length,
        undated,
        report: n ? ds.report() : null,
        crosstab: n && row && col ? ds.crosstab(row, col) : null,
        npsBy: n && by ? ds.npsBy(by) : null,
        followUp,
        followCodes,
        ms: performance.now() - started,
      };
    });
  },

  /**
   * The key drivers of the NPS question (the core's default target and items)
   * under a filter, asked apart from the view: the bootstrap takes a while on
   * large data, and the rest of the dashboard should not wait for it. Kept for
   * the last filter (a cross-tab or period change keeps it); `{ error }` when
   * the core refuses, null without rows.
   */
  async 'dash.drivers'({ filter }) {
    const key = JSON.stringify(filter ?? null);
    if (driversFor?.key === key) return driversFor.drivers;
    return underFilter(filter, (ds) => {
      driversFor = {
        key,
        drivers: ds.length ? attempt(() => ds.drivers(null, null, DRIVERS_SEED)) : null,
      };
      return driversFor.drivers;
    });
  },

  /** Every detractor under the filter, as a labelled CSV for the branch to call back, with the reason for each. */
  async 'dash.exportFollowUp'({ filter, lang, day: stamp }) {
    if (!board) throw new Error('no data loaded');
    const ds = board.filtered(filter);
    try {
      // Each detractor with why they are on the list (the core's follow_up_reason column).
      const bytes = ds.followUpCsv(lang, true);
      return { name: `manyi-follow-up-${stamp}-${lang}.csv`, mime: 'text/csv', bytes };
    } finally {
      ds.free();
    }
  },

  /** The report of a file picked on the report page (not stored). */
  async 'file.report'({ name, bytes }) {
    await ready;
    const ds = await fileDataset(name, bytes);
    try {
      return { n: ds.length, report: ds.report(), instrument: ds.instrument() };
    } finally {
      ds.free();
    }
  },

  async preview({ name, bytes }) {
    await ready;
    pending?.incoming.free();
    pending = null;
    return plan(name, bytes, await readIncoming(name, bytes));
  },

  /**
   * Imports the previewed file. If anything was written since the preview,
   * nothing is written: the plan is made again and returned as `changed`.
   */
  async commit({ resolutions, operator }, progress) {
    if (!pending) throw new Error('nothing to import: preview a file first');
    const { name, incoming, gen, left } = pending;
    const dev = await device();
    // Written since the preview, or imported once already by a commit that failed: plan again.
    if (dev.gen !== gen || incoming.spent) return { changed: await planAgain() };
    progress({ done: 0, total: 100 });
    const rows = incoming.length;
    // A backup's follow-up case events merge with this device's (the core's
    // union; a clash refuses the whole import): merged before the rows are,
    // so that a refusal leaves the loaded device as stored.
    const cases = await mergedCases(incoming);
    // A backup's paper forms keyed once: the core leaves out those counted or
    // waiting here already (src/core/store/entries.rs), planned before the rows move in.
    const entries = dev.store.planEntries(incoming, await pendingEntries());
    // A backup's branch key is restored only where this device has none (the core's KeyRestore).
    const mine = await branchKey();
    const key = incoming.keyRestore(mine?.key, mine?.name);
    const newKey = key.kind === 'restored' ? incoming.branchKey() : null;
    const result = dev.store.applyImport(
      incoming,
      resolutions ?? {},
      name,
      await deviceId(),
      operator ?? '',
    );
    progress({ done: 50, total: 100 });
    const at = new Date().toISOString();
    // A backup's audit trail, less what this device has of it already.
    const carried = incoming.auditNotIn(await auditTrail());
    const audit = [
      ...(Array.isArray(carried) ? carried : []),
      {
        at,
        what: 'import',
        who: operator || null,
        detail: {
          file: name,
          rows,
          new: result.added,
          same: result.same,
          replaced: result.replaced,
          conflicts: Object.entries(resolutions ?? {}).map(([id, kept]) => ({ id, kept })),
          ...(left.length ? { deleted_here: left } : {}),
          // The backup's branch key, restored or not (the core's KeyRestore), when it brought one.
          ...(key.kind === 'restored' || key.kind === 'kept' ? { branch_key: key } : {}),
          // The trail names the forms counted here already; the page only counts them.
          ...(waiting(entries)
            ? { entries: { ...waitingSummary(entries), counted: entries.counted } }
            : {}),
        },
      },
    ];
    const puts = [];
    if (newKey) puts.push(['meta', { key: 'branch-key', value: newKey }]);
    const invs = incoming.invitations();
    for (const e of cases.new) puts.push(['case_events', e]);
    if (cases.added)
      audit.push({
        at,
        what: 'case',
        who: operator || null,
        detail: { file: name, added: cases.added, conflicts: cases.conflicts },
      });
    // The loaded device now holds the import: if it is not written, it is loaded again.
    const written = await writeIfUnchanged(gen, {
      writes: result.writes,
      puts,
      entries: entries.add.map((e) => ({ ...e, codes: Uint8Array.from(e.codes) })),
      audit,
      invitations: Array.isArray(invs) ? invs : [],
    }).catch((e) => {
      forget();
      throw e;
    });
    if (!written) {
      forget();
      return { changed: await planAgain() };
    }
    loaded.gen = gen + 1;
    loaded.summary = loaded.store.summary();
    progress({ done: 100, total: 100 });
    pending = null;
    incoming.free();
    return {
      added: result.added,
      replaced: result.replaced,
      same: result.same,
      entries: waitingSummary(entries),
      key,
    };
  },

  // ---- encrypted backups (src/core/sealed_backup.rs; WebCrypto seals and opens) ----

  /** Whether a file whose first bytes are `head` is an encrypted backup. */
  async 'sealed.is'({ head }) {
    await ready;
    return isSealedBackup(head);
  },

  /** An encrypted backup's envelope, checked: { iterations, salt, data }. */
  async 'sealed.read'({ bytes }) {
    await ready;
    return readSealedBackup(bytes);
  },

  /** The encrypted backup file of `data` sealed with `salt` and `iterations`: { bytes }. */
  async 'sealed.write'({ iterations, salt, data }) {
    await ready;
    return { bytes: writeSealedBackup(iterations, salt, data) };
  },

  // ---- double entry of paper forms (src/core/double_entry.rs) ----

  /** Where two keyings of a form differ: their question indices. */
  async 'entry.disagreements'({ first, second, instrument }) {
    await ready;
    return Array.from(entryDisagreements(first, second, instrument));
  },

  /** Form `formId` verified by its second keying (`id` is the request's), `paper` what the paper says at each disagreement: { codes, verification }. */
  async 'entry.verify'({
    formId,
    firstOperator,
    first,
    secondOperator,
    second,
    paper,
    instrument,
  }) {
    await ready;
    return verifyEntry(formId, firstOperator, first, secondOperator, second, paper, instrument);
  },

  /** Each operator's disagreements, errors and error rate over the device's audit trail. */
  async 'entry.tally'({ instrument }) {
    await ready;
    return entryTally(await auditTrail(), instrument);
  },

  /** The answers an edit changes: [{ question, from, to }]. */
  async 'entry.changes'({ before, after, instrument }) {
    await ready;
    return editChanges(before, after, instrument);
  },

  // ---- follow-up cases (issue 17; src/core/cases/) ----

  /** The follow-up cases of the dashboard's data under `filter`: the core's list (first `limit`), figures and conflicts. */
  async 'cases.view'({ filter, today, lang, limit = 200 }) {
    if (!board) throw new Error('no data loaded');
    const events = await caseEvents();
    return underFilter(filter, (ds) => ({
      ...ds.cases(events, boardContacts, today, lang, limit),
      events: events.length,
    }));
  },

  /** One change to a case: the core checks it against the stored events and makes the event, stored with its audit entry. */
  async 'cases.change'({ change }) {
    if (!board) throw new Error('no data loaded');
    const event = board.nextCaseEvent(await caseEvents(), change);
    await addCaseEvent(event, {
      at: event.at,
      what: 'case',
      who: event.who,
      detail: { case: event.case, status: event.status, event: event.id },
    });
    return event;
  },

  /** Every case under `filter` as a CSV in `lang` (call-back contacts only if `contacts`). */
  async 'cases.export'({ filter, today, lang, contacts = false }) {
    if (!board) throw new Error('no data loaded');
    const events = await caseEvents();
    return underFilter(filter, (ds) => ({
      name: `manyi-cases-${today}-${lang}.csv`,
      mime: 'text/csv',
      bytes: ds.casesCsv(events, boardContacts, today, lang, true, contacts),
    }));
  },

  async cancel() {
    pending?.incoming.free();
    pending = null;
    return {};
  },

  /** The report of one questionnaire on the device (the largest unless `fingerprint` names one). */
  async report(/** @type {{ fingerprint?: string }} */ { fingerprint } = {}) {
    const dev = await device();
    const chosen = choose(dev.summary, fingerprint);
    if (!chosen)
      return {
        n: 0,
        report: null,
        instrument: null,
        sets: [],
        fingerprint: null,
        quarantine: dev.summary.quarantine,
      };
    const ds = dev.store.dataset(chosen.fingerprint, false);
    try {
      return {
        n: ds.length,
        report: ds.length ? ds.report() : null,
        instrument: ds.instrument(),
        sets: dev.summary.sets,
        fingerprint: chosen.fingerprint,
        quarantine: dev.summary.quarantine,
      };
    } finally {
      ds.free();
    }
  },

  /**
   * An export of one questionnaire (or, for a backup, of the whole device),
   * marking exactly what is in the file as exported: if anything was written
   * while the file was made, it is made again from the new state.
   */
  async export({ format, lang, contacts = false, fingerprint, withKey = false, day: stamp }) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const dev = await device();
      const chosen = choose(dev.summary, fingerprint);
      let file;
      let marks;
      if (format === 'backup') {
        const entries = (await pendingEntries()).map((e) => ({
          ...e,
          codes: Array.from(e.codes ?? []),
        }));
        const key = withKey ? await branchKey() : null;
        const text = dev.store.toBackupWithCases(
          entries,
          await invitations(),
          await auditTrail(),
          await caseEvents(),
          key ? key.key : undefined,
          key?.name ?? '',
          key?.createdAt ?? '',
          new Date().toISOString(),
        );
        file = {
          name: `manyi-backup-${stamp}.json`,
          mime: 'application/json',
          bytes: new TextEncoder().encode(text),
        };
        marks = dev.summary.sets.map((s) => dev.store.markExported(s.fingerprint));
      } else {
        if (!chosen) throw new Error('there are no responses on this device to export');
        const ds = dev.store.dataset(chosen.fingerprint, contacts);
        try {
          if (format === 'csv')
            file = { name: `manyi-${stamp}.csv`, mime: 'text/csv', bytes: ds.toCsv(true) };
          else if (format === 'labelled')
            file = {
              name: `manyi-${stamp}-${lang}.csv`,
              mime: 'text/csv',
              bytes: ds.toLabelledCsv(lang, true),
            };
          else if (format === 'xlsx')
            file = {
              name: `manyi-${stamp}.xlsx`,
              mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              bytes: await workbook(ds, lang),
            };
          else if (format === 'sav' || format === 'parquet')
            file = await otherToolsFile(ds, format, lang, stamp);
          else throw new Error(`unknown export format ${format}`);
        } finally {
          ds.free();
        }
        marks = [dev.store.markExported(chosen.fingerprint)];
      }
      const rows = format === 'backup' ? dev.summary.sets.reduce((n, s) => n + s.n, 0) : chosen.n;
      // Each set's chunks, and the deletion of any older revision's it absorbed.
      const writes = marks.flatMap((m) => [
        { fingerprint: m.fingerprint, chunks: m.chunks, markLog: m.logKeys },
        ...m.retired,
      ]);
      const audit = [
        {
          at: new Date().toISOString(),
          what: 'export',
          detail: {
            format,
            file: file.name,
            rows,
            contacts,
            withKey: format === 'backup' ? withKey : undefined,
          },
        },
      ];
      const gen = dev.gen;
      // The core marked its copy; whether or not the marks are written, load again next time.
      forget();
      if (await writeIfUnchanged(gen, { writes, audit })) return file;
    }
    throw new Error('the device kept changing while exporting; try again');
  },
};

/**
 * The file formats add-on (pkg/export/: the .xlsx reader and writer, .sav and
 * Parquet), loaded the first time someone needs one: the main package leaves
 * them out, for a smaller download on every other screen. Data crosses between
 * the two modules as the interchange CSV, whose round trip is exact.
 */
let exportAddon = null;
function fileFormats() {
  // @ts-ignore: built without type declarations, as pkg/manyi.js.
  exportAddon ??= import('./pkg/export/manyi_export.js').then(async (addon) => {
    await addon.default();
    addon.seedHashing(crypto.getRandomValues(new Uint8Array(16)));
    return addon;
  });
  return exportAddon;
}

/** A file brought to the device, read by the core; a workbook (.xlsx) is first turned into the interchange CSV by the add-on. */
async function readIncoming(name, bytes) {
  const kind = fileKind(name);
  if (kind !== 'workbook') return Incoming.read(kind, bytes);
  const addon = await fileFormats();
  const book = addon.Dataset.fromXlsx(bytes, undefined);
  let csv;
  try {
    csv = book.toCsv(false);
  } finally {
    book.free();
  }
  return Incoming.read('csv', csv);
}

/** A data set's .xlsx workbook (labels in `lang`), written by the add-on from its interchange CSV. */
async function workbook(ds, lang) {
  const addon = await fileFormats();
  const copy = addon.Dataset.fromCsv(ds.toCsv(false), JSON.stringify(ds.instrument()));
  try {
    return copy.toXlsx(lang);
  } finally {
    copy.free();
  }
}

/** An SPSS (.sav, labels in `lang`) or Parquet file of a data set, made by the add-on from its interchange CSV. */
async function otherToolsFile(ds, format, lang, stamp) {
  const addon = await fileFormats();
  const csv = ds.toCsv(false);
  const instrument = JSON.stringify(ds.instrument());
  if (format === 'sav') {
    return {
      name: `manyi-${stamp}-${lang}.sav`,
      mime: 'application/x-spss-sav',
      bytes: addon.savFromCsv(csv, instrument, lang, Math.floor(Date.now() / 1000)),
    };
  }
  return {
    name: `manyi-${stamp}.parquet`,
    mime: 'application/vnd.apache.parquet',
    bytes: addon.parquetFromCsv(csv, instrument),
  };
}

/** Whether a plan of restored keyed forms has anything to say. */
const waiting = (p) => p.add.length + p.same + p.counted.length + p.kept.length > 0;

/** A plan of restored keyed forms as the page shows it, or null when the file brings none. */
const waitingSummary = (p) =>
  waiting(p)
    ? { added: p.add.length, same: p.same, counted: p.counted.length, kept: p.kept }
    : null;

/** The case events a file brings that this device lacks, merged by the core: { new, added, conflicts }. */
async function mergedCases(incoming) {
  const theirs = incoming.caseEvents();
  if (!Array.isArray(theirs) || theirs.length === 0) return { new: [], added: 0, conflicts: [] };
  return mergeCaseEvents(await caseEvents(), theirs);
}

/**
 * This worker's scope: tsc checks the pages' modules with the DOM's types,
 * whose `self` is a window; a worker posts to its page without an origin.
 */
const scope =
  /** @type {{ postMessage(message: unknown, transfer?: Transferable[]): void, onmessage: ((e: MessageEvent) => void) | null }} */ (
    /** @type {unknown} */ (self)
  );

scope.onmessage = async ({ data }) => {
  const { id, type } = data;
  const progress = (p) => scope.postMessage({ id, progress: p });
  try {
    const result = await handlers[type](data, progress);
    const transfer = result?.bytes ? [result.bytes.buffer] : [];
    scope.postMessage({ id, result }, transfer);
  } catch (e) {
    scope.postMessage({ id, error: plainError(e) });
  }
};

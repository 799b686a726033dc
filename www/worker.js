// Heavy work off the main thread: reading files, planning and writing merges,
// exports. The page sends one request at a time and gets progress and a result.
import init, { Dataset } from './pkg/manyi.js';
import { CONTACT_COLUMNS, auditTrail, deviceId, loadColumns, markExported, saveAll } from './storage.js';

const ready = init();
/** The number of questions of the instrument, set when the store is read. */
let questions = 0;

/** The pending import between its preview and its commit. */
let pending = null;

/** A core error as a plain object the page can show (line, column, value…). */
function plainError(e) {
  return { message: String(e?.message ?? e), kind: e?.kind, problems: e?.problems ?? [], total: e?.total ?? 0 };
}

async function stored(options) {
  await ready;
  const empty = Dataset.empty();
  questions = empty.instrument().questions.length;
  empty.free();
  const c = await loadColumns(questions, options);
  return Dataset.fromColumns(c.ids, c.codes, c.names, c.values);
}

/** Reads a file by its name and content: backup (.json), workbook (.xlsx) or CSV. */
function readFile(name, bytes) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json') || lower.endsWith('.manyi')) return Dataset.fromBackup(new TextDecoder().decode(bytes));
  if (lower.endsWith('.xlsx')) return Dataset.fromXlsx(bytes);
  return Dataset.fromCsv(bytes);
}

/** The records to store for incoming rows `rows`, with their provenance. */
function records(incoming, rows, source, device, operator) {
  const ids = incoming.ids();
  const codes = incoming.codesByRow();
  const names = incoming.extraNames();
  const values = incoming.extraValues();
  const q = questions;
  const now = new Date().toISOString();
  return rows.map((r) => {
    const extras = {};
    names.forEach((n, j) => {
      extras[n] = values[r * names.length + j];
    });
    if (!extras.source) extras.source = source;
    if (!extras.device) extras.device = device;
    if (!extras.operator && operator) extras.operator = operator;
    const record = { id: ids[r], codes: codes.slice(r * q, r * q + q), extras, exported: 0, savedAt: now };
    // An exported call-back contact comes back as a contact, kept apart from the answers again.
    if (extras.contact_name || extras.contact_phone) {
      record.contact = { name: extras.contact_name ?? '', phone: extras.contact_phone ?? '', consent_at: extras.contact_consent_at ?? '' };
    }
    for (const c of CONTACT_COLUMNS) delete extras[c];
    return record;
  });
}

/** The dashboard's data: loaded once, then filtered for each view. */
let board = null;
const DATE_COLUMNS = ['date', 'submitted_at', 'keyed_at'];

const handlers = {
  /** Loads the dashboard's data: the device's store, or a file (the demo data is one). */
  async 'dash.open'({ source, name, bytes }) {
    await ready;
    board?.free();
    board = null;
    board = source === 'store' ? await stored() : readFile(name, bytes);
    const extras = board.extraNames();
    return {
      n: board.length,
      instrument: board.instrument(),
      modes: extras.includes('mode') ? board.distinct('mode', 20) : [],
      dated: extras.some((n) => DATE_COLUMNS.includes(n.toLowerCase())),
    };
  },

  /**
   * One view of the dashboard under a filter: the report, a cross-tab, NPS by
   * a question, and the follow-up list (its first `limit` entries, with their answers).
   */
  async 'dash.view'({ filter, row, col, by, limit = 200 }) {
    if (!board) throw new Error('no data loaded');
    const started = performance.now();
    const ds = board.filtered(filter);
    try {
      const dated = filter?.from || filter?.to;
      const undated = dated ? board.filterCounts(filter).undated : 0;
      const n = ds.length;
      const followUp = ds.followUpList(limit);
      const listed = ds.rows(Uint32Array.from(followUp.items, (f) => f.row));
      const followCodes = listed.codesByRow();
      listed.free();
      return {
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
    } finally {
      ds.free();
    }
  },

  /** Every detractor under the filter, as a labelled CSV for the branch to call back. */
  async 'dash.exportFollowUp'({ filter, lang }) {
    if (!board) throw new Error('no data loaded');
    const ds = board.filtered(filter);
    try {
      const list = ds.rows(ds.followUpRows());
      const bytes = list.toLabelledCsv(lang, true);
      list.free();
      const stamp = new Date().toISOString().slice(0, 10);
      return { name: `manyi-follow-up-${stamp}-${lang}.csv`, mime: 'text/csv', bytes };
    } finally {
      ds.free();
    }
  },

  async preview({ name, bytes }) {
    await ready;
    pending?.incoming.free();
    pending = null;
    const incoming = readFile(name, bytes);
    const existing = await stored();
    try {
      const plan = existing.planMerge(incoming);
      // A backup brings its audit trail along, to be restored with its responses.
      const carried = incoming.audit();
      pending = { name, incoming, plan, carried: Array.isArray(carried) ? carried : [] };
      return {
        name,
        rows: plan.rows,
        new: plan.new.length,
        same: plan.same.length,
        conflicts: plan.conflicts,
        questions: incoming.instrument().questions.map((q) => q.id),
      };
    } finally {
      existing.free();
    }
  },

  async commit({ resolutions, operator }, progress) {
    if (!pending) throw new Error('nothing to import: preview a file first');
    const { name, incoming, plan, carried } = pending;
    const missing = plan.conflicts.filter((c) => !resolutions?.[c.id]);
    if (missing.length) throw new Error(`${missing.length} conflict(s) still need a decision`);
    const take = plan.conflicts.filter((c) => resolutions[c.id] === 'incoming').map((c) => c.incoming_row);
    const rows = [...plan.new, ...take];
    const device = await deviceId();
    const batch = records(incoming, rows, name, device, operator);
    const audit = {
      at: new Date().toISOString(),
      what: 'import',
      who: operator || null,
      detail: { file: name, rows: plan.rows, new: plan.new.length, same: plan.same.length, conflicts: plan.conflicts.map((c) => ({ id: c.id, kept: resolutions[c.id] })) },
    };
    await saveAll(batch, [...carried, audit], (done, total) => progress({ done, total }));
    pending = null;
    incoming.free();
    return { added: plan.new.length, replaced: take.length, same: plan.same.length };
  },

  async cancel() {
    pending?.incoming.free();
    pending = null;
    return {};
  },

  async report() {
    const ds = await stored();
    try {
      return { n: ds.length, report: ds.length ? ds.report() : null, instrument: ds.instrument() };
    } finally {
      ds.free();
    }
  },

  async export({ format, lang, contacts = false }) {
    const ds = await stored({ contacts });
    try {
      const stamp = new Date().toISOString().slice(0, 10);
      let file;
      if (format === 'csv') file = { name: `manyi-${stamp}.csv`, mime: 'text/csv', bytes: ds.toCsv(true) };
      else if (format === 'labelled') file = { name: `manyi-${stamp}-${lang}.csv`, mime: 'text/csv', bytes: ds.toLabelledCsv(lang, true) };
      else if (format === 'xlsx') file = { name: `manyi-${stamp}.xlsx`, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: ds.toXlsx(lang) };
      else if (format === 'backup') {
        const text = ds.toBackup(await auditTrail(), new Date().toISOString());
        file = { name: `manyi-backup-${stamp}.json`, mime: 'application/json', bytes: new TextEncoder().encode(text) };
      } else throw new Error(`unknown export format ${format}`);
      await markExported({ at: new Date().toISOString(), what: 'export', detail: { format, file: file.name, rows: ds.length, contacts } });
      return file;
    } finally {
      ds.free();
    }
  },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  const progress = (p) => self.postMessage({ id, progress: p });
  try {
    const result = await handlers[type](data, progress);
    const transfer = result?.bytes ? [result.bytes.buffer] : [];
    self.postMessage({ id, result }, transfer);
  } catch (e) {
    self.postMessage({ id, error: plainError(e) });
  }
};

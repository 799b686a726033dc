// End to end: the device store owned by the core (issue 13). Each test first
// reproduces a defect a new user hit, then shows it fixed: another
// questionnaire's response kept apart from the branch's figures, unreadable
// records set aside, `Mode` after `mode` and a `constructor` column, backups
// whose questionnaire reuses the built-in id and version, the .xlsx round trip
// of a mixed store, the full backup (contacts, pending keyings, branch key),
// and the export and import races.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, idbAll, idbRevealed, launch, openStaff, openPage } from './browser.mjs';

const DEMO = new URL('../../www/demo/zg-x-branch-2023.csv', import.meta.url).pathname;
const DEMO_TEXT = readFileSync(DEMO, 'utf8');
const BUILTIN = readFileSync(
  new URL('../../instruments/zg-x-branch-2023.json', import.meta.url),
  'utf8',
);
/** The built-in questionnaire before version 2 added the English question marks. */
const BUILTIN_V1 = readFileSync(
  new URL('../fixtures/zg-x-branch-2023-v1.json', import.meta.url),
  'utf8',
);
const Q = 'q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17';
const HEADER = `id,${Q}`;
const PHONE = {
  viewport: { width: 390, height: 844 },
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 2,
};

/** A two-question exit survey: another questionnaire a branch might run on the same site. */
const OTHER = JSON.stringify({
  id: 'branch-exit',
  version: '1',
  title: { 'zh-CN': '离店快速调查', en: 'Exit survey' },
  questions: [
    {
      id: 'q1',
      kind: 'single',
      text: { 'zh-CN': '今天办理的业务', en: 'Today’s business' },
      options: [
        { code: 'A', label: { 'zh-CN': '存取款', en: 'Cash' } },
        { code: 'B', label: { 'zh-CN': '理财', en: 'Wealth' } },
      ],
    },
    {
      id: 'q2',
      kind: 'scale',
      text: { 'zh-CN': '推荐意愿', en: 'Likelihood to recommend' },
      min: 0,
      max: 10,
      min_label: { 'zh-CN': '完全不可能', en: 'Not at all likely' },
      max_label: { 'zh-CN': '极有可能', en: 'Extremely likely' },
    },
  ],
  nps: 'q2',
});

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function open(context, path = '') {
  // The staff screens are behind the staff lock (set on a fresh device, entered in each new tab); the survey is not.
  const opened = await openPage(context, env.url + path);
  if (!path)
    await opened.page.waitForFunction(
      () => document.querySelector('#store-status').dataset.total !== undefined,
    );
  return opened;
}

const stored = (page) => page.locator('#store-status').getAttribute('data-total').then(Number);
const unexported = (page) =>
  page.locator('#store-status').getAttribute('data-unexported').then(Number);
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
const jsonFile = (name, value) => ({
  name,
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify(value)),
});

async function preview(page, file) {
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#preview:not([hidden]), #problems').first().waitFor();
  return page.locator('#preview-summary').textContent();
}

async function commit(page, expectTotal) {
  await page.locator('#commit').click();
  await page.waitForFunction(
    (n) => document.querySelector('#store-status').dataset.total === String(n),
    expectTotal,
  );
}

async function importDemo(page) {
  assert.match(await preview(page, DEMO), /新增 366 行/);
  await commit(page, 366);
}

async function download(page, format) {
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`[data-export="${format}"]`).click(),
  ]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

async function storedReport(page) {
  await page.locator('#show-stored').click();
  await page.locator('#nps-value').waitFor();
  return {
    nps: await page.locator('#nps-value').textContent(),
    n: await page.locator('#report-n').textContent(),
  };
}

/** Saves a response as the survey page does (storage.js), with its questionnaire's text. */
function saveSurveyResponse(page, { id, codes, instrument, contact = null, extras = {} }) {
  return page.evaluate(
    async ({ id, codes, instrument, contact, extras }) => {
      const s = await import('./storage.js');
      const now = new Date().toISOString();
      // (Before issue 13 the page recorded no questionnaire: the same call then reproduces the defects.)
      const key = s.instrumentKey
        ? await s.instrumentKey(JSON.stringify(JSON.parse(instrument)))
        : undefined;
      const record = {
        id,
        instrument: key,
        codes: Uint8Array.from(codes),
        extras: { mode: 'online', submitted_at: now, ...extras },
        exported: 0,
        savedAt: now,
      };
      if (contact) record.contact = contact;
      await s.submitResponse(record, { at: now, what: 'survey', detail: { id } });
      return performance.now();
    },
    { id, codes, instrument, contact, extras },
  );
}

/** Writes a log record straight into IndexedDB, as a damaged or foreign record would be. */
function putRaw(page, record) {
  return page.evaluate(
    (r) =>
      new Promise((ok, fail) => {
        const req = indexedDB.open('manyi');
        req.onsuccess = () => {
          const tx = req.result.transaction('responses', 'readwrite');
          tx.objectStore('responses').put({ ...r, codes: Uint8Array.from(r.codes) });
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        };
        req.onerror = () => fail(req.error);
      }),
    record,
  );
}

const csvRows = (bytes) =>
  bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);

test('a response to another questionnaire is kept apart: the branch still has 366 and −3.28', async () => {
  const context = await env.newContext({ ...PHONE, serviceWorkers: 'block' });
  await context.route('**/instruments/other-instrument.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: OTHER }),
  );
  const { page, errors } = await open(context);
  await importDemo(page);
  // A customer answers the exit survey on the same device.
  const { page: survey } = await open(
    context,
    'survey.html?instrument=instruments/other-instrument.json',
  );
  await survey.locator('html[data-screen="q1"][data-settled]').waitFor();
  await survey.locator('#screen .option[data-code="A"]').tap();
  await survey.locator('html[data-screen="q2"][data-settled]').waitFor();
  await survey.locator('#screen .option[data-code="9"]').tap();
  await survey.locator('html[data-screen="review"][data-settled]').waitFor();
  await survey.locator('#submit').tap();
  await survey.locator('html[data-screen="thanks"][data-settled]').waitFor();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '367');
  // The report, the choice of questionnaire and the dashboard keep them apart.
  assert.deepEqual(await storedReport(page), { nps: '\u22123.28', n: '有效问卷 366 份' });
  const options = await page.locator('#set-choice option').allTextContents();
  assert.equal(options.length, 2, options.join(' | '));
  assert.ok(
    options.some((o) => /离店快速调查.*1 份/.test(o)),
    options.join(' | '),
  );
  await page.locator('#set-choice').selectOption({ label: options.find((o) => /离店/.test(o)) });
  await page.locator('#report-n', { hasText: '1 份' }).waitFor();
  assert.equal(await page.locator('#nps-value').textContent(), '100.00');
  assert.deepEqual(await axe(page), [], 'the page with two questionnaires');
  const { page: board } = await open(context, 'dashboard.html');
  await board.locator('#nps-value, [data-kpi="nps"]').first().waitFor();
  // The headline NPS (the dashboard's key figures now open the page, above the board).
  assert.match(await board.locator('#nps-value, [data-kpi="nps"]').first().textContent(), /−3\.28/);
  assert.equal(await board.locator('#dash-set option').count(), 2);
  // The exit survey on the board: its own questions, not the branch questionnaire's q2 × q14.
  const exit = await board.locator('#dash-set option', { hasText: '离店' }).getAttribute('value');
  await board.locator('#dash-set').selectOption(exit);
  await board.waitForFunction(() =>
    document.querySelector('#nps-value, [data-kpi="nps"]')?.textContent.includes('100.00'),
  );
  assert.deepEqual(
    await board.locator('#xt-row option').evaluateAll((o) => o.map((x) => x.value)),
    ['q1', 'q2'],
  );
  assert.equal(await board.locator('#xt-row').inputValue(), 'q1');
  assert.equal(await board.locator('#xt-col').inputValue(), 'q2');
  // A detractor to call back: the list names this questionnaire's NPS question and its answers' range.
  await saveSurveyResponse(page, { id: 'EXIT-2', codes: [1, 3], instrument: OTHER });
  await board.reload();
  await board.locator('#dash-set').selectOption(exit);
  await board.locator('#fu-table').waitFor();
  assert.deepEqual(await board.locator('#fu-table thead th').allTextContents(), [
    'ID',
    'Q2',
    '重点',
    '答案（Q1–Q2）',
  ]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('responses saved under version 1 of the built-in questionnaire stay with version 2’s, shown with its texts', async () => {
  const context = await env.newContext({ ...PHONE, serviceWorkers: 'block' });
  const { page, errors } = await open(context);
  const codes = (nps) => Array.from({ length: 17 }, (_, q) => (q === 16 ? nps : 0));
  // Two customers answered on a page still showing version 1, one on today's page.
  await saveSurveyResponse(page, { id: 'V1-1', codes: codes(10), instrument: BUILTIN_V1 });
  await saveSurveyResponse(page, {
    id: 'V1-2',
    codes: codes(0),
    instrument: BUILTIN_V1,
    extras: { instrument: 'zg-x-branch-2023', instrument_version: '1' },
  });
  await saveSurveyResponse(page, { id: 'V2-1', codes: codes(9), instrument: BUILTIN });
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '3');
  assert.equal(await page.locator('#quarantine li').count(), 0);
  assert.ok(await page.locator('#set-wrap').isHidden(), 'one questionnaire, not two');
  assert.deepEqual(await storedReport(page), { nps: '33.33', n: '有效问卷 3 份' });
  // The report shows version 2's wording.
  await page.locator('#lang').click();
  await page.locator('html[lang="en"]').waitFor();
  await page.locator('#report', { hasText: 'How did you become our customer?' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the main page reads files in its worker: no WebAssembly on the main thread', async () => {
  const context = await env.newContext();
  const { page, errors } = await open(context);
  await page.locator('#demo').click();
  await page.locator('#nps-value').waitFor();
  assert.equal(await page.locator('#nps-value').textContent(), '\u22123.28');
  await importDemo(page);
  // The page's resources: its worker, and never the main thread's door to the core (core.js) or the wasm.
  const fetched = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
  );
  assert.ok(fetched.includes('/worker.js'), fetched.join(' '));
  assert.ok(!fetched.some((p) => p.endsWith('.wasm') || p === '/core.js'), fetched.join(' '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('records that cannot be read are set aside and listed; reports and backups still work', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page, errors } = await open(context);
  await importDemo(page);
  // Codes outside the questions (q1 has two options), and a response of a questionnaire this device never had.
  await putRaw(page, {
    id: 'BAD-1',
    codes: Array(17).fill(9),
    extras: { mode: 'online' },
    exported: 0,
  });
  await putRaw(page, {
    id: 'OLD-1',
    codes: Array(17).fill(0),
    extras: { mode: 'online', instrument: 'gone-survey', instrument_version: '3' },
    exported: 0,
  });
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '366');
  const listed = await page.locator('#quarantine li').allTextContents();
  assert.equal(listed.length, 2, listed.join(' | '));
  assert.match(listed.join(' '), /BAD-1.*not an answer to q1/);
  assert.match(listed.join(' '), /OLD-1.*gone-survey/);
  assert.deepEqual(await storedReport(page), { nps: '\u22123.28', n: '有效问卷 366 份' });
  // They can be exported as kept, with the reasons, for an administrator.
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#export-quarantine').click(),
  ]);
  const set = JSON.parse(readFileSync(await dl.path(), 'utf8'));
  assert.deepEqual(set.log.map((r) => [r.id, r.codes[0]]).sort(), [
    ['BAD-1', 9],
    ['OLD-1', 0],
  ]);
  assert.equal(set.reasons.length, 2);
  assert.deepEqual(await axe(page), [], 'the list of unreadable records');
  const backup = await download(page, 'backup');
  assert.equal(
    JSON.parse(backup.bytes.toString('utf8')).sets[0].responses_csv.split('\n').filter(Boolean)
      .length,
    367,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('an extra column `Mode` after `mode`, and one named `constructor`, are ordinary columns', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page, errors } = await open(context);
  await importDemo(page);
  const text = [
    `id,Mode,constructor,${Q}`,
    'M-1,kiosk,x,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9',
    'M-2,,,B,B,B,B,B,B,B,B,B,B,B,B,B,B,B,B,0',
  ].join('\n');
  assert.match(await preview(page, csvFile('mixed-case.csv', text)), /新增 2 行/);
  await commit(page, 368);
  // Every later report, preview and export still works.
  assert.equal((await storedReport(page)).n, '有效问卷 368 份');
  assert.match(await preview(page, DEMO), /新增 0 行，已存在且相同 366 行/);
  await page.locator('#cancel').click();
  const rows = csvRows((await download(page, 'csv')).bytes);
  const head = rows[0].split(',');
  assert.equal(head.filter((h) => h.toLowerCase() === 'mode').length, 1, rows[0]);
  assert.ok(head.includes('constructor'), rows[0]);
  const m1 = rows.find((r) => r.startsWith('M-1,')).split(',');
  assert.equal(m1[head.indexOf('mode')], 'kiosk');
  assert.equal(m1[head.indexOf('constructor')], 'x');
  assert.equal(
    rows.find((r) => r.startsWith('X2023-0001,')).split(',')[head.indexOf('constructor')],
    '',
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('a backup whose questionnaire reuses the built-in id and version with other questions is refused', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  await importDemo(page);
  const builtin = JSON.parse(BUILTIN);
  const row = `${DEMO_TEXT.split('\n')[0]}\nP-1,paper,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9\n`;
  // Same id and version, one option renamed.
  const changed = structuredClone(builtin);
  changed.questions[0].options[0].label['zh-CN'] = '先生';
  await preview(
    page,
    jsonFile('poisoned.json', {
      format: 'manyi-backup',
      version: 1,
      created: '',
      instrument: changed,
      responses_csv: row,
      audit: [],
    }),
  );
  await page.locator('#problems').waitFor();
  assert.deepEqual(
    await page.locator('#problems tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.code)),
    ['instrument_changed'],
  );
  assert.match(await page.locator('#problems').textContent(), /zg-x-branch-2023@2.*题目或选项不同/);
  // Same id and version, fewer questions (this used to trap the core with `unreachable`).
  const fewer = structuredClone(builtin);
  fewer.questions = fewer.questions.slice(0, 16);
  delete fewer.nps;
  const short = `id,mode,${Q.replace(',q17', '')}\nP-2,paper,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A\n`;
  await preview(
    page,
    jsonFile('fewer.json', {
      format: 'manyi-backup',
      version: 1,
      created: '',
      instrument: fewer,
      responses_csv: short,
      audit: [],
    }),
  );
  await page.locator('#problems tr[data-code="instrument_changed"]').waitFor();
  // In English the core's own sentence names the questionnaire and both fingerprints.
  await page.locator('#lang').click();
  assert.match(
    await page.locator('#problems').textContent(),
    /questionnaire zg-x-branch-2023 version 2 on this device has other questions or options/,
  );
  await page.locator('#lang').click();
  assert.equal(await stored(page), 366);
  assert.deepEqual(await storedReport(page), { nps: '\u22123.28', n: '有效问卷 366 份' });
  // Under its own id it is simply another questionnaire.
  fewer.id = 'zg-x-branch-2023-short';
  assert.match(
    await preview(
      page,
      jsonFile('short.json', {
        format: 'manyi-backup',
        version: 1,
        created: '',
        instrument: fewer,
        responses_csv: short,
        audit: [],
      }),
    ),
    /新增 1 行/,
  );
  await commit(page, 367);
  assert.equal(await page.locator('#set-choice option').count(), 2);
  await context.close();
});

test('a device holding imported, online and keyed responses exports to .xlsx and imports it back exactly', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  await importDemo(page);
  // An online response (its extra columns are empty on every other row) and a keyed paper form.
  await saveSurveyResponse(page, {
    id: 'W20261203-0001',
    codes: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 255, 10],
    instrument: BUILTIN,
    extras: { device: 'tablet-1' },
  });
  const { page: entry } = await open(context, 'entry.html');
  await entry.locator('#operator').fill('张三');
  await entry.locator('#operator').press('Enter');
  await entry.locator('#double').uncheck();
  await entry.locator('#form-id').fill('K-0001');
  await entry.locator('#form-id').press('Enter');
  for (const k of 'ABABABABABABABAB') await entry.keyboard.press(k);
  await entry.keyboard.press('7');
  await entry.keyboard.press('Enter');
  await entry.locator('#entry-msg', { hasText: 'K-0001' }).waitFor();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '368');
  const csv = csvRows((await download(page, 'csv')).bytes);
  const workbook = await download(page, 'xlsx');
  // Back into the same device: every row is already there, identical.
  const xlsx = {
    name: workbook.name,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: workbook.bytes,
  };
  assert.match(
    await preview(page, xlsx),
    /共 368 行；新增 0 行，已存在且相同 368 行（将跳过），冲突 0 行/,
  );
  await page.locator('#cancel').click();
  // Into an empty device: the same rows, answers and extra columns.
  const other = await env.newContext({ acceptDownloads: true });
  const { page: page2 } = await open(other);
  assert.match(await preview(page2, xlsx), /新增 368 行/);
  await commit(page2, 368);
  const again = csvRows((await download(page2, 'csv')).bytes);
  assert.equal(again.length, csv.length);
  const head = csv[0].split(',');
  const headAgain = again[0].split(',');
  const cells = (rows, h, id, col) =>
    rows.find((r) => r.startsWith(`${id},`)).split(',')[h.indexOf(col)];
  for (const id of ['X2023-0001', 'W20261203-0001', 'K-0001']) {
    for (const col of [...Q.split(','), 'mode', 'device', 'operator']) {
      assert.equal(cells(again, headAgain, id, col), cells(csv, head, id, col), `${id} ${col}`);
    }
  }
  await other.close();
  await context.close();
});

test('a full backup holds every questionnaire, contacts, pending keyings and, when asked, the branch key; it restores exactly', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  await importDemo(page);
  const withCallback = BUILTIN.replace('"version": "2",', '"version": "2",\n  "callback": true,');
  await saveSurveyResponse(page, {
    id: 'W-CB-1',
    codes: Array(16).fill(0).concat([2]),
    instrument: withCallback,
    contact: { name: '王女士', phone: '138 0013 8000', consent_at: '2026-12-03T09:00:00Z' },
  });
  await page.evaluate(async () => {
    const s = await import('./storage.js');
    const at = '2026-12-03T09:30:00Z';
    await s.addEntry(
      {
        id: 'P-0001',
        codes: Uint8Array.from([1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 8]),
        operator: '李四',
        at,
      },
      { at, what: 'enter', who: '李四', detail: { id: 'P-0001', pass: 1 } },
    );
    await s.saveBranchKey(
      { key: crypto.getRandomValues(new Uint8Array(32)), name: 'K7Q2', createdAt: at },
      { at, what: 'key' },
    );
    await s.addInvitations(
      [
        { token: 'TOKEN-USED', issuedAt: at, usedBy: 'I-TOKEN-USED', usedAt: at },
        { token: 'TOKEN-OPEN', issuedAt: at },
      ],
      { at, what: 'invite' },
    );
  });
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '367');
  // Without the key box ticked: everything but the key, contacts included although the contacts box is not ticked.
  const plain = JSON.parse((await download(page, 'backup')).bytes.toString('utf8'));
  assert.equal(plain.version, 2);
  assert.equal(plain.sets.length, 2);
  assert.deepEqual(
    plain.sets.flatMap((s) => s.contacts.map((c) => c.name)),
    ['王女士'],
  );
  assert.deepEqual(
    plain.entries.map((e) => e.id),
    ['P-0001'],
  );
  assert.deepEqual(plain.invitations.map((i) => [i.token, i.usedBy ?? null]).sort(), [
    ['TOKEN-OPEN', null],
    ['TOKEN-USED', 'I-TOKEN-USED'],
  ]);
  assert.equal(plain.branch_key, undefined);
  await page.locator('#backup-key').check();
  const full = await download(page, 'backup');
  const parsed = JSON.parse(full.bytes.toString('utf8'));
  assert.match(parsed.branch_key.key_hex, /^[0-9a-f]{64}$/);
  const before = await page.evaluate(async () =>
    (await import('./worker-bridge.js')).ask('store.summary'),
  );
  const meta = async (p) => p.evaluate(async () => (await import('./storage.js')).branchKey());
  const key1 = await meta(page);
  // An empty device restores it: the same questionnaires, counts, flags, contacts, pending forms and key.
  const other = await env.newContext({ acceptDownloads: true });
  const { page: page2 } = await open(other);
  assert.match(
    await preview(page2, { name: full.name, mimeType: 'application/json', buffer: full.bytes }),
    /新增 367 行/,
  );
  await commit(page2, 367);
  const after = await page2.evaluate(async () =>
    (await import('./worker-bridge.js')).ask('store.summary'),
  );
  assert.deepEqual([after.sets, after.quarantine], [before.sets, before.quarantine]);
  // (Each device seals its records under its own key: compared as each page reads them.)
  assert.deepEqual(await idbRevealed(page2, 'entries'), await idbRevealed(page, 'entries'));
  // The invitations come along: a code already taken on the first device is refused on the second.
  assert.deepEqual(await idbAll(page2, 'invitations'), await idbAll(page, 'invitations'));
  const key2 = await meta(page2);
  assert.deepEqual(
    [Array.from(key2.key), key2.name, key2.createdAt],
    [Array.from(key1.key), key1.name, key1.createdAt],
  );
  // The backup opened as a file on the dashboard shows its largest questionnaire.
  const { page: board } = await open(other, 'dashboard.html');
  await board.locator('#nps-value').waitFor();
  await board.evaluate(() => document.querySelector('#nps-value').remove());
  await board
    .locator('#src-file')
    .setInputFiles({ name: full.name, mimeType: 'application/json', buffer: full.bytes });
  await board.locator('#nps-value').waitFor();
  assert.equal(await board.locator('#nps-value').textContent(), '\u22123.28');
  // Its own backup holds the same sets, row for row.
  await page2.locator('#backup-key').check();
  const again = JSON.parse((await download(page2, 'backup')).bytes.toString('utf8'));
  assert.deepEqual(again.sets, parsed.sets);
  await other.close();
  await context.close();
});

test('restoring an older backup never brings back a keyed form verified or deleted since, nor undoes an edit of one still waiting', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  const first = [1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 8];
  const edited = [...first.slice(0, 16), 3];
  // Two forms keyed once (P-1, P-2), and the backup taken then.
  await page.evaluate(async (codes) => {
    const s = await import('./storage.js');
    const at = '2026-12-04T09:00:00Z';
    for (const id of ['P-1', 'P-2', 'P-3'])
      await s.addEntry(
        { id, codes: Uint8Array.from(codes), operator: '李四', at },
        { at, what: 'enter', who: '李四', detail: { id, pass: 1 } },
      );
  }, first);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  const backup = await download(page, 'backup');
  assert.deepEqual(
    JSON.parse(backup.bytes.toString('utf8')).entries.map((e) => e.id),
    ['P-1', 'P-2', 'P-3'],
  );
  // Since: P-1 keyed a second time and counted; P-2 corrected while it waits.
  await page.evaluate(
    async ({ codes, edited, instrument }) => {
      const s = await import('./storage.js');
      const at = '2026-12-04T10:00:00Z';
      const record = {
        id: 'P-1',
        instrument: await s.instrumentKey(JSON.stringify(JSON.parse(instrument))),
        codes: Uint8Array.from(codes),
        extras: { mode: 'paper', operator: '李四', verified_by: '王五', keyed_at: at },
        exported: 0,
        savedAt: at,
      };
      await s.addKeyed(record, { at, what: 'verify', who: '王五', detail: { id: 'P-1' } });
      const [p2] = (await s.pendingEntries()).filter((e) => e.id === 'P-2');
      await s.removeId('P-3', {
        at: new Date().toISOString(),
        what: 'delete',
        who: '李四',
        detail: { id: 'P-3', was: 'entry' },
      });
      await s.updateEntry(
        { ...p2, codes: Uint8Array.from(edited) },
        { at, what: 'edit', who: '李四', detail: { id: 'P-2' } },
      );
    },
    { codes: first, edited, instrument: BUILTIN },
  );
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '1');
  // The older backup restored on the same device.
  await preview(page, { name: backup.name, mimeType: 'application/json', buffer: backup.bytes });
  // The preview says what will happen to them before anything is written.
  assert.equal(
    await page.locator('#preview-waiting').textContent(),
    '其中待第二遍核对的问卷：将恢复 0 份，本机已有相同的 0 份，已计入本机的 1 份不再恢复，本机已更正的 1 份保留本机的（P-2）。',
  );
  assert.equal(
    await page.locator('#preview-deleted').textContent(),
    '本机在此备份之后删除的 1 份问卷不会恢复：P-3。',
  );
  await commit(page, 1);
  await page.locator('#status:not(:empty)').waitFor();
  assert.match(
    await page.locator('#status').textContent(),
    /待第二遍核对的问卷：恢复 0 份，本机已有相同的 0 份，已计入本机的 1 份不再恢复，本机已更正的 1 份保留本机的（P-2）。/,
  );
  const entries = await idbRevealed(page, 'entries');
  assert.deepEqual(
    entries.map((e) => [e.id, e.codes]),
    [['P-2', edited]],
    'P-1 is counted, not waiting again; P-2 keeps its correction',
  );
  await context.close();
});

test('restoring a backup twice adds nothing to the audit trail but the imports themselves', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  await page.evaluate(async () => {
    const s = await import('./storage.js');
    const at = '2026-12-04T09:00:00Z';
    await s.addEntry(
      { id: 'P-1', codes: Uint8Array.from(Array(17).fill(0)), operator: '李四', at },
      { at, what: 'enter', who: '李四', detail: { id: 'P-1', pass: 1 } },
    );
  });
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  const backup = await download(page, 'backup');
  const kinds = async () =>
    (await page.evaluate(async () => (await import('./storage.js')).auditTrail())).map(
      (a) => a.what,
    );
  const before = await kinds();
  for (let n = 1; n <= 2; n++) {
    await preview(page, { name: backup.name, mimeType: 'application/json', buffer: backup.bytes });
    await commit(page, 0);
    await page.locator('#status:not(:empty)').waitFor();
  }
  const after = await kinds();
  assert.deepEqual(
    after.filter((w) => w !== 'import'),
    before,
    "the backup's own entries are on the device already",
  );
  assert.equal(after.filter((w) => w === 'import').length, 2);
  await context.close();
});

test('an export marks exactly what is in the file, even when a response is saved meanwhile', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const { page } = await open(context);
  const n = 150000;
  const rows = [HEADER];
  for (let i = 0; i < n; i++)
    rows.push(
      `E${String(i).padStart(6, '0')},${'AB'[i % 2]},A,B,C,D,A,B,C,D,A,B,C,A,B,C,A,${i % 11}`,
    );
  await preview(page, csvFile('big.csv', rows.join('\n')));
  await commit(page, n);
  const [dl, savedAt] = await Promise.all([
    page.waitForEvent('download'),
    page
      .locator('[data-export="csv"]')
      .click()
      .then(() =>
        saveSurveyResponse(page, { id: 'W-RACE', codes: Array(17).fill(0), instrument: BUILTIN }),
      ),
  ]);
  const doneAt = await page.evaluate(() => performance.now());
  assert.ok(savedAt <= doneAt);
  const inFile = csvRows(readFileSync(await dl.path())).length - 1;
  await page.reload();
  await page.waitForFunction(
    (t) => document.querySelector('#store-status').dataset.total === String(t),
    n + 1,
  );
  // Whatever the file holds is marked; what it does not hold is not.
  assert.ok(inFile === n || inFile === n + 1, `${inFile} rows in the file`);
  assert.equal(await unexported(page), n + 1 - inFile);
  await context.close();
});

test('an import planned before a response was saved is planned again, never overwriting it', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  await importDemo(page);
  const text = `${HEADER}\nR-1,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,9\nR-2,B,A,A,A,A,A,A,A,A,A,A,A,A,A,A,A,3\n`;
  assert.match(
    await preview(page, csvFile('late.csv', text)),
    /新增 2 行，已存在且相同 0 行（将跳过），冲突 0 行/,
  );
  // Between the preview and the commit, a customer's response is saved under the id R-1.
  await saveSurveyResponse(page, {
    id: 'R-1',
    codes: Array(16).fill(1).concat([0]),
    instrument: BUILTIN,
  });
  await page.locator('#commit').click();
  await page.locator('#status', { hasText: '重新生成预览' }).waitFor();
  assert.match(
    await page.locator('#preview-summary').textContent(),
    /新增 1 行，已存在且相同 0 行（将跳过），冲突 1 行/,
  );
  assert.equal(await page.locator('fieldset.conflict[data-id="R-1"]').count(), 1);
  await page.getByLabel('保留本机已有').check();
  await commit(page, 368);
  const r1 = await page.evaluate(async () => {
    const { ask } = await import('./worker-bridge.js');
    return ask('store.summary');
  });
  assert.equal(r1.sets[0].n, 368);
  await context.close();
});

test('the log of single responses is folded into chunks by the core; keyed forms stay listed, editable and deletable', async () => {
  const context = await env.newContext();
  const { page } = await open(context);
  // 520 responses saved one by one, as the survey and entry screens save them: 500 online, 20 keyed on paper.
  await page.evaluate(async (instrument) => {
    const s = await import('./storage.js');
    const key = await s.instrumentKey(JSON.stringify(JSON.parse(instrument)));
    for (let i = 0; i < 520; i++) {
      const paper = i >= 500;
      const at = new Date(Date.UTC(2026, 11, 3, 9, 0, i)).toISOString();
      const extras = paper
        ? { mode: 'paper', operator: '张三', keyed_at: at }
        : { mode: 'online', submitted_at: at };
      const record = {
        id: paper ? `K-${i}` : `W-${i}`,
        instrument: key,
        codes: Uint8Array.from({ length: 17 }, (_, q) => (q === 16 ? i % 11 : 0)),
        extras,
        exported: 0,
        savedAt: at,
      };
      await s.submitResponse(record, {
        at,
        what: paper ? 'enter' : 'survey',
        detail: { id: record.id },
      });
    }
  }, BUILTIN);
  assert.equal((await idbAll(page, 'responses')).length, 520);
  // Loading the store (the report page does on open) folds the log into chunks.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '520');
  await page.waitForFunction(
    async () =>
      (await (await import('./storage.js')).openDb().then(
        (db) =>
          new Promise((ok) => {
            const r = db.transaction('responses').objectStore('responses').count();
            r.onsuccess = () => ok(r.result);
          }),
      )) === 0,
  );
  assert.equal((await idbAll(page, 'chunks')).length, 1);
  const before = await storedReport(page);
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '520');
  assert.deepEqual(await storedReport(page), before);
  // The entry screen still lists the compacted paper forms, and edits and deletes them.
  const { page: entry } = await open(context, 'entry.html');
  await entry.locator('#saved tr[data-id="K-519"]').waitFor();
  await entry.locator('#operator').fill('李四');
  await entry.locator('#operator').press('Enter');
  await entry.locator('#saved tr[data-id="K-519"] .delete').click();
  await entry.locator('#saved tr[data-id="K-519"] .delete').click();
  await entry.locator('#entry-msg', { hasText: 'K-519' }).waitFor();
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '519');
  // A keyed form's number that lives in a chunk is refused as a duplicate.
  await entry.locator('#form-id').fill('K-518');
  await entry.locator('#form-id').press('Enter');
  await entry.locator('#entry-msg', { hasText: /K-518/ }).waitFor();
  assert.match(await entry.locator('#entry-msg').textContent(), /K-518 已录入/);
  await context.close();
});

test('a device that stored responses before this store (database version 3) keeps every one of them', async () => {
  const context = await env.newContext();
  const page = await context.newPage();
  // A page of the same origin that does not open the database: write it as the earlier page did.
  await page.goto(`${env.url}style.css`);
  const [head, ...lines] = DEMO_TEXT.trim().split('\n');
  const cols = head.split(',');
  const records = lines.map((line) => {
    const cells = line.split(',');
    const codes = cols.slice(2).map((q, i) => {
      const v = cells[i + 2];
      if (v === '') return 255;
      return q === 'q17' ? Number(v) : v.charCodeAt(0) - 65;
    });
    return {
      id: cells[0],
      codes,
      extras: { mode: cells[1], source: 'old.csv' },
      exported: 0,
      savedAt: '2026-11-20T10:00:00Z',
    };
  });
  await page.evaluate(
    (rows) =>
      new Promise((ok, fail) => {
        const req = indexedDB.open('manyi', 3);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('responses', { keyPath: 'id' }).createIndex('exported', 'exported');
          db.createObjectStore('audit', { autoIncrement: true });
          db.createObjectStore('meta', { keyPath: 'key' });
          db.createObjectStore('entries', { keyPath: 'id' });
          db.createObjectStore('invitations', { keyPath: 'token' });
        };
        req.onsuccess = () => {
          const tx = req.result.transaction('responses', 'readwrite');
          for (const r of rows)
            tx.objectStore('responses').put({ ...r, codes: Uint8Array.from(r.codes) });
          tx.oncomplete = () => {
            req.result.close();
            ok();
          };
          tx.onerror = () => fail(tx.error);
        };
        req.onerror = () => fail(req.error);
      }),
    records,
  );
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '366');
  assert.equal(await page.locator('#quarantine li').count(), 0);
  assert.deepEqual(await storedReport(page), { nps: '\u22123.28', n: '有效问卷 366 份' });
  // The same responses imported again are recognised as already there.
  assert.match(await preview(page, DEMO), /新增 0 行，已存在且相同 366 行/);
  await context.close();
});

test("a backup's branch key is restored where the device has none, and where it has another the preview and the result name both", async () => {
  const at = '2026-12-04T09:00:00Z';
  const makeKey = (page, name) =>
    page.evaluate(
      async ({ name, at }) => {
        const s = await import('./storage.js');
        await s.saveBranchKey(
          { key: crypto.getRandomValues(new Uint8Array(32)), name, createdAt: at },
          { at, what: 'key' },
        );
      },
      { name, at },
    );
  const keyName = (page) =>
    page.evaluate(async () => (await import('./storage.js')).branchKey().then((k) => k?.name));
  // Device A: a key and a backup with it.
  const a = await env.newContext({ acceptDownloads: true });
  const { page } = await open(a);
  await makeKey(page, 'AAAA');
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  await page.locator('#backup-key').check();
  const full = await download(page, 'backup');
  const file = { name: full.name, mimeType: 'application/json', buffer: full.bytes };
  // Device B has a key of its own: it keeps it, and says so before and after.
  const b = await env.newContext({ acceptDownloads: true });
  const { page: pageB } = await open(b);
  await makeKey(pageB, 'BBBB');
  await pageB.reload();
  await pageB.waitForFunction(() => document.querySelector('#store-status').dataset.total === '0');
  await preview(pageB, file);
  assert.equal(
    await pageB.locator('#preview-key').textContent(),
    '此备份的网点密钥 AAAA 与本机的 BBBB 不同：保留本机的 BBBB。答复该备份中邀请（AAAA 签发）的答卷码在本机将被拒收。',
  );
  await pageB.locator('#lang').click();
  await pageB.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(
    await pageB.locator('#preview-key').textContent(),
    "This backup's branch key AAAA differs from this device's BBBB: this device keeps BBBB. Response codes answering the backup's invitations (signed with AAAA) will be refused here.",
  );
  await pageB.locator('#lang').click();
  await pageB.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await commit(pageB, 0);
  await pageB.locator('#status:not(:empty)').waitFor();
  assert.match(await pageB.locator('#status').textContent(), /保留本机的 BBBB/);
  assert.equal(await keyName(pageB), 'BBBB');
  // Device C has none: the backup's is restored, and the preview says so.
  const c = await env.newContext({ acceptDownloads: true });
  const { page: pageC } = await open(c);
  await preview(pageC, file);
  assert.equal(
    await pageC.locator('#preview-key').textContent(),
    '将恢复此备份的网点密钥 AAAA：本机可用它签发邀请、核对答卷码。',
  );
  await commit(pageC, 0);
  // (The count was 0 before too: the result line says when the import is written.)
  await pageC.locator('#status:not(:empty)').waitFor();
  assert.match(await pageC.locator('#status').textContent(), /已恢复网点密钥 AAAA。$/);
  assert.equal(await keyName(pageC), 'AAAA');
  // Restoring it again on A (the same key) says nothing of keys.
  await preview(page, file);
  assert.ok(await page.locator('#preview-key').isHidden());
  for (const ctx of [a, b, c]) await ctx.close();
});

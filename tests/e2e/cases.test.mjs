// End to end: follow-up cases (issue 17, closing the loop) in headless
// Chromium. A detractor imported on a device is flagged with its reasons and
// overdue; staff mark it contacted, then resolved, with a holder and notes;
// each change is in the audit trail (and the case events are encrypted at
// rest); the cases CSV has the status; a backup restores the cases on a fresh
// profile; the second device's change, made apart from the first's, is merged
// back, shown as a conflict and settled by a person. axe-core finds nothing;
// nothing is wider than a 360 px phone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, idbAll, idbRevealed, launch, unlockStaff, openPage } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** A response: id, date, Q10, Q11 and Q17 as given, every other question A. */
function row(id, date, q10, q11, q17) {
  const answers = Array.from({ length: 17 }, (_, i) => ({ 9: q10, 10: q11, 16: q17 })[i] ?? 'A');
  return [id, date, ...answers].join(',');
}
const HEADER = ['id', 'date', ...Array.from({ length: 17 }, (_, i) => `q${i + 1}`)].join(',');
// D-1: a detractor (2) with no relationship manager (Q10 B), long overdue; D-2 a detractor answered today-ish;
// P-1 a promoter (no case).
const CSV =
  [
    HEADER,
    row('D-1', '2026-01-05', 'B', 'A', '2'),
    row('D-2', '2099-01-05', 'A', 'A', '6'),
    row('P-1', '2026-01-05', 'A', 'A', '10'),
  ].join('\n') + '\n';

const open = (context, path = '') => openPage(context, env.url + path);

async function importFile(page, file, total) {
  await page.locator('#import-file').setInputFiles(file);
  await page.locator('#preview:not([hidden])').waitFor();
  await page.locator('#commit').click();
  await page.locator('#preview').waitFor({ state: 'hidden' });
  await page.waitForFunction(
    (n) => document.querySelector('#store-status')?.dataset.total === String(n),
    total,
  );
}

async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}

/** The dashboard on this device's data, in the same tab (its staff session carries over). */
async function dashboard(page) {
  await page.goto(`${env.url}dashboard.html`);
  await unlockStaff(page);
  await page.locator('#case-list').waitFor();
}

const card = (page, id) => page.locator(`#case-list li[data-id="${id}"]`);

/** Opens a case's change form, fills what is given, saves, and waits for the new state. */
async function change(page, id, { status, holder, note }, expectStatus) {
  const c = card(page, id);
  const details = c.locator('details.case-change');
  if (!(await details.evaluate((d) => d.open))) await c.locator('summary').click();
  if (status) await c.locator('select[name="status"]').selectOption(status);
  if (holder != null) await c.locator('input[name="holder"]').fill(holder);
  if (note) await c.locator('textarea[name="note"]').fill(note);
  await c.locator('button[type="submit"]').click();
  await page.locator(`#case-list li[data-id="${id}"][data-status="${expectStatus}"]`).waitFor();
}

test('a detractor is flagged, called, resolved, exported, backed up, restored and merged with a second device’s conflicting change', async () => {
  // ---- device A: the detractor is flagged ----
  const ctxA = await env.newContext({ acceptDownloads: true });
  const { page: a, errors } = await open(ctxA);
  await importFile(a, { name: 'branch.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) }, 3);
  await dashboard(a);
  // Two detractors are cases (the promoter is not); the overdue one first.
  assert.deepEqual(
    await a.locator('#case-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.id)),
    ['D-1', 'D-2'],
  );
  // Nothing stray in the section (a null child was once written out as "null").
  assert.doesNotMatch(await a.locator('#cases').innerText(), /\bnull\b|\bundefined\b/);
  const d1 = card(a, 'D-1');
  assert.equal(
    await d1.locator('.case-reasons').textContent(),
    '没有专职客户经理；贬损者（打分 2）',
  );
  assert.equal(await d1.locator('.case-status').textContent(), '待联系');
  // Monday 2026-01-05 + 2 working days = Wednesday 01-07, long past.
  assert.equal(await d1.locator('.case-due').textContent(), '2026-01-07（已逾期）');
  assert.equal(await a.locator('[data-figure="overdue"] dd').textContent(), '1');
  // The first screen shows the open cases and how many are overdue.
  await a.waitForFunction(() => document.querySelector('#kpi-cases')?.textContent === '2');
  assert.equal(await a.locator('#kpi-overdue').textContent(), '其中逾期 1 个');

  // A note half typed survives a switch of language (the form is drawn again in English).
  await card(a, 'D-2').locator('summary').click();
  await card(a, 'D-2').locator('select[name="status"]').selectOption('unreachable');
  await card(a, 'D-2').locator('textarea[name="note"]').fill('客户说柜台排队太久，明天上午回电');
  await a.locator('#lang').click();
  await a.waitForFunction(() => document.documentElement.lang === 'en');
  await card(a, 'D-2').locator('textarea[name="note"]').waitFor();
  assert.equal(
    await card(a, 'D-2').locator('textarea[name="note"]').inputValue(),
    '客户说柜台排队太久，明天上午回电',
  );
  assert.equal(await card(a, 'D-2').locator('select[name="status"]').inputValue(), 'unreachable');
  await a.locator('#lang').click();
  await a.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await card(a, 'D-2').locator('textarea[name="note"]').waitFor();
  assert.equal(
    await card(a, 'D-2').locator('textarea[name="note"]').inputValue(),
    '客户说柜台排队太久，明天上午回电',
  );
  // (Left unsaved: D-2 stays as it was.)
  await card(a, 'D-2').locator('textarea[name="note"]').fill('');
  await card(a, 'D-2').locator('select[name="status"]').selectOption('');
  await card(a, 'D-2').locator('summary').click();

  // A change needs a name: refused with a message until one is given.
  await d1.locator('summary').click();
  await d1.locator('select[name="status"]').selectOption('contacted');
  await d1.locator('button[type="submit"]').click();
  await d1.locator('.case-form .error').filter({ hasText: '请先填写您的姓名' }).waitFor();
  await a.locator('#case-who').fill('王芳');
  await change(
    a,
    'D-1',
    { status: 'contacted', holder: '李雷', note: '已致电，客户反映手续费问题' },
    'contacted',
  );
  assert.equal(await card(a, 'D-1').locator('.case-holder').textContent(), '李雷');
  // Only the allowed next steps are offered: from contacted, no "reopen".
  await card(a, 'D-1').locator('summary').click();
  await card(a, 'D-1').locator('select[name="status"]').waitFor();
  const offered = await card(a, 'D-1')
    .locator('select[name="status"] option')
    .evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['', 'contacted', 'resolved', 'unreachable', 'declined']);
  await change(a, 'D-1', { status: 'resolved', note: '已退还手续费' }, 'resolved');
  const resolved = card(a, 'D-1');
  assert.deepEqual(
    await resolved
      .locator('.case-notes li')
      .allTextContents()
      .then((t) => t.map((s) => s.replace(/^.*王芳：/, ''))),
    ['已致电，客户反映手续费问题', '已退还手续费'],
  );
  assert.equal(await a.locator('[data-figure="overdue"] dd').textContent(), '0');
  assert.match(await a.locator('#cases-status').textContent(), /D-1.*已解决/);
  // In English a note's author is followed by an English colon, not a Chinese one.
  await a.locator('#lang').click();
  await a.waitForFunction(() => document.documentElement.lang === 'en');
  await card(a, 'D-1').locator('.case-notes li').first().waitFor();
  assert.match(
    await card(a, 'D-1').locator('.case-notes li').first().textContent(),
    / 王芳: 已致电，客户反映手续费问题$/,
  );
  await a.locator('#lang').click();
  await a.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await card(a, 'D-1').locator('.case-notes li').first().waitFor();
  await a.waitForFunction(() => document.querySelector('#kpi-cases')?.textContent === '1');
  assert.equal(await a.locator('#kpi-overdue').textContent(), '其中逾期 0 个');

  // The audit trail has each change with who and when; the events are encrypted at rest.
  const audit = (await idbRevealed(a, 'audit')).filter((e) => e.what === 'case');
  assert.deepEqual(
    audit.map((e) => [e.who, e.detail.case, e.detail.status]),
    [
      ['王芳', 'D-1', 'contacted'],
      ['王芳', 'D-1', 'resolved'],
    ],
  );
  assert.ok(audit.every((e) => /^\d{4}-\d\d-\d\dT/.test(e.at)));
  const stored = await idbAll(a, 'case_events');
  assert.equal(stored.length, 2);
  for (const e of stored) assert.deepEqual(Object.keys(e).sort(), ['case', 'id', 'sealed']);
  const events = await idbRevealed(a, 'case_events');
  assert.deepEqual(events.map((e) => [e.status, e.holder, e.who]).sort(), [
    ['contacted', '李雷', '王芳'],
    ['resolved', '李雷', '王芳'],
  ]);

  // ---- the cases CSV ----
  const csv = (await download(a, () => a.locator('#case-export').click())).bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const [head, ...lines] = csv.trim().split(/\r\n/);
  assert.equal(
    head,
    'id,score,reasons,status,holder,opened,due,overdue,closed_at,last_change_at,last_change_by,notes',
  );
  const byId = Object.fromEntries(lines.map((l) => [l.split(',')[0], l]));
  assert.deepEqual(Object.keys(byId).sort(), ['D-1', 'D-2']);
  assert.match(
    byId['D-1'],
    /^D-1,2,没有专职客户经理；贬损者（打分 2）,已解决,李雷,2026-01-05,2026-01-07,否,/,
  );
  assert.match(byId['D-1'], /已退还手续费/);

  // Phone-first and accessible, with a form open.
  await card(a, 'D-2').locator('summary').click();
  assert.deepEqual(await axe(a), []);
  await a.setViewportSize({ width: 360, height: 800 });
  await a.waitForTimeout(300);
  assert.ok(
    await a.evaluate(() => document.documentElement.scrollWidth <= 360),
    'nothing wider than 360 px',
  );
  const small = await a
    .locator('#cases button:visible, #cases summary:visible, #cases select:visible')
    .evaluateAll((els) =>
      els.filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 60)),
    );
  assert.deepEqual(small, [], 'touch targets at least 44 px high');
  await a.setViewportSize({ width: 1280, height: 900 });

  // ---- a backup, restored on a fresh profile (device B) ----
  await a.goto(env.url);
  await a.locator('html[data-ready="true"]').waitFor();
  const backup = await download(a, () => a.locator('[data-export="backup"]').click());
  assert.equal(JSON.parse(backup.bytes.toString('utf8')).cases.length, 2);
  const ctxB = await env.newContext({ acceptDownloads: true });
  const { page: b, errors: errorsB } = await open(ctxB);
  await importFile(b, { name: backup.name, mimeType: 'application/json', buffer: backup.bytes }, 3);
  await dashboard(b);
  assert.equal(await card(b, 'D-1').locator('.case-status').textContent(), '已解决');
  assert.equal(await card(b, 'D-1').locator('.case-holder').textContent(), '李雷');

  // ---- apart: B reopens the case, A adds a note and hands it to 张伟 ----
  await b.locator('#case-who').fill('赵敏');
  await change(b, 'D-1', { status: 'open', note: '客户又来电投诉' }, 'open');
  await dashboard(a);
  await change(a, 'D-1', { holder: '张伟', note: '回访满意' }, 'resolved');
  // B's backup merged into A: both changes kept, the case in conflict.
  await b.goto(env.url);
  await b.locator('html[data-ready="true"]').waitFor();
  const backupB = await download(b, () => b.locator('[data-export="backup"]').click());
  await a.goto(env.url);
  await a.locator('html[data-ready="true"]').waitFor();
  await importFile(
    a,
    { name: backupB.name, mimeType: 'application/json', buffer: backupB.bytes },
    3,
  );
  assert.equal((await idbAll(a, 'case_events')).length, 4);
  await dashboard(a);
  await a.locator('#cases-conflicts').waitFor();
  const heads = card(a, 'D-1').locator('.case-conflict li');
  assert.equal(await heads.count(), 2);
  // Oldest first: B's reopening, then A's note; A's, the latest, is shown meanwhile.
  assert.match(await heads.nth(0).textContent(), /待联系，负责人 李雷（赵敏/);
  assert.match(await heads.nth(1).textContent(), /已解决，负责人 张伟（王芳/);
  assert.equal(await card(a, 'D-1').getAttribute('data-status'), 'resolved');
  assert.deepEqual(await axe(a), []);
  // A person keeps B's reopening: the conflict is settled, the case open again.
  await heads.nth(0).locator('button').click();
  await a.locator('#case-list li[data-id="D-1"][data-status="open"]').waitFor();
  assert.equal(await card(a, 'D-1').locator('.case-conflict').count(), 0);
  assert.equal(await a.locator('#cases-conflicts').count(), 0);
  // Every note survives, from both devices.
  const notes = await card(a, 'D-1').locator('.case-notes li').allTextContents();
  for (const n of ['已致电', '已退还手续费', '客户又来电投诉', '回访满意'])
    assert.ok(
      notes.some((t) => t.includes(n)),
      n,
    );
  // The resolution is an event of its own, naming the head not chosen.
  const all = await idbRevealed(a, 'case_events');
  const settled = all.find((e) => e.merged?.length);
  assert.ok(settled, 'a resolution event');
  assert.equal(settled.who, '王芳');

  // A backup whose case event clashes with this device's is refused whole:
  // its new response is not counted either, on the same page (the worker's
  // loaded device must not keep what was never written).
  const clash = JSON.parse(backupB.bytes.toString('utf8'));
  const shared = clash.cases.find((e) => all.some((mine) => mine.id === e.id));
  assert.ok(shared, 'an event both devices hold');
  shared.note = `${shared.note ?? ''}（改）`;
  const set = clash.sets[0];
  const csvLines = set.responses_csv.trimEnd().split('\n');
  csvLines.push(csvLines.at(-1).replace(/^[^,]*/, 'CLASH-1'));
  set.responses_csv = `${csvLines.join('\n')}\n`;
  set.exported += '0';
  await a.goto(env.url);
  await a.locator('html[data-ready="true"]').waitFor();
  await a.waitForFunction(() => document.querySelector('#store-status')?.dataset.total === '3');
  await a.locator('#import-file').setInputFiles({
    name: 'clash.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(clash)),
  });
  await a.locator('#preview:not([hidden])').waitFor();
  // The count shown after the refusal is a new one (the page counts again after every commit).
  await a.evaluate(() => delete document.querySelector('#store-status')?.dataset.total);
  await a.locator('#commit').click();
  await a
    .locator('#errors')
    .getByText('CLASH', { exact: false })
    .or(a.locator('#errors li'))
    .first()
    .waitFor();
  await a.waitForFunction(
    () => document.querySelector('#store-status')?.dataset.total !== undefined,
  );
  assert.equal(await a.locator('#store-status').getAttribute('data-total'), '3');
  assert.equal((await idbAll(a, 'case_events')).length, all.length);
  // What this page exports next is what is stored: the refused file's row is in no backup.
  const after = await download(a, () => a.locator('[data-export="backup"]').click());
  const kept = JSON.parse(after.bytes.toString('utf8'));
  assert.ok(!kept.sets[0].responses_csv.includes('CLASH-1'), 'the refused row was exported');

  assert.deepEqual(errors, []);
  assert.deepEqual(errorsB, []);
  await ctxA.close();
  await ctxB.close();
});

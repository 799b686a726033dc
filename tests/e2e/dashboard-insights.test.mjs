// End to end: the dashboard's key drivers, NPS trend and first screen (issue
// 17) on 3,000 generated responses dated through 2023. The drivers table and
// the trend table show what `manyi drivers --json` and `manyi trend --json`
// give for the same rows (the whole file, and the rows a filter keeps,
// written out here and run through the CLI); the core's fix-first item is
// marked in the chart and table and named in the top row; the trend arrow is
// the core's verdict on the last change; 12 months, 4 quarters; the demo data
// (no dates) explains why there is no trend; a file too small for key drivers
// shows the core's refusal in the page's language. On 360 and 390 px phones
// and a 1366×768 laptop, in Chinese and English: NPS above the fold, nothing
// wider than the screen, chart text of 12 px, touch targets of 44 px, no
// null/undefined/NaN, axe-core clean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axe, launch, openStaff, openPage } from './browser.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'manyi-insights-'));
/** The CLI, built if need be (cargo is quiet when it is up to date). */
const manyi = (...args) =>
  execFileSync('cargo', ['run', '--quiet', '--release', '--bin', 'manyi', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
const json = (...args) => JSON.parse(manyi(...args, '--json'));

const DATED = join(TMP, 'dated.csv');
/** The rows of the generated file (header first), for the filtered file the CLI checks. */
let lines;

let env;
before(async () => {
  manyi('generate', '--n', '3000', '--seed', '5', '-o', DATED);
  lines = readFileSync(DATED, 'utf8').trim().split(/\r?\n/);
  assert.deepEqual(lines[0].split(',').slice(-2), ['mode', 'date']);
  env = await launch();
});
after(async () => {
  await env?.close();
  rmSync(TMP, { recursive: true, force: true });
});

/** The rows of the generated file whose `column` is `value`, as a file of their own. */
function subset(column, value) {
  const k = lines[0].split(',').indexOf(column);
  const path = join(TMP, `${column}-${value}.csv`);
  writeFileSync(
    path,
    [lines[0], ...lines.slice(1).filter((l) => l.split(',')[k] === value)].join('\n') + '\n',
  );
  return path;
}

/** The dashboard with the generated file loaded (through the file picker, as an analyst would). */
async function openDated(viewport = { width: 1366, height: 768 }, lang = 'zh') {
  const context = await env.newContext({ viewport });
  const { page, errors } = await openPage(context, `${env.url}dashboard.html?demo`);
  await page.locator('#nps-value').waitFor();
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'dated.csv', mimeType: 'text/csv', buffer: readFileSync(DATED) });
  await page.waitForFunction(() =>
    document.querySelector('#dash-context')?.textContent.startsWith('n = 3000'),
  );
  await page.locator('#trend-table').waitFor();
  await driversDrawn(page);
  if (lang === 'en') await toEnglish(page);
  return { context, page, errors };
}

/** The key drivers come after the rest of the view (their bootstrap takes a while): waits for them. */
const driversDrawn = (page) =>
  page.waitForFunction(() => document.querySelector('#board')?.dataset.drivers === 'ready');

async function toEnglish(page) {
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
}

// The page's number formats, for comparing with the CLI's JSON.
const minus = (s) => s.replace('-', '\u2212');
const fmt = (x, d = 2) => (x == null ? '—' : minus(x.toFixed(d)));
const signed = (x) => (x == null ? '—' : x > 0 ? `+${fmt(x)}` : fmt(x));
const pText = (p) => (p == null ? '—' : p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** The drivers table as text, one array per row. */
const driverRows = (page) =>
  page
    .locator('#drv-table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.dataset.question,
        ...[...tr.querySelectorAll('td')].map((td) => td.textContent),
      ]),
    );
const trendRows = (page) =>
  page
    .locator('#trend-table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [
        tr.querySelector('th').textContent,
        ...[...tr.querySelectorAll('td')].map((td) => td.textContent),
      ]),
    );

function expectedDrivers(d) {
  return d.items.map((it) => [
    it.question,
    fmt(it.r, 3),
    `${(it.share * 100).toFixed(2)}% (${fmt(it.share_ci95[0] * 100)}–${fmt(it.share_ci95[1] * 100)}%)`,
    fmt(it.index),
  ]);
}
function expectedTrend(t, lang = 'zh') {
  const sig = (p) =>
    p.significant == null
      ? '—'
      : !p.significant
        ? lang === 'en'
          ? 'no'
          : '否'
        : lang === 'en'
          ? `✱ significant ${p.change > 0 ? 'rise' : 'fall'}`
          : `✱ 显著${p.change > 0 ? '上升' : '下降'}`;
  const clamp = (x) => Math.max(-100, Math.min(100, x));
  return t.periods.map((p) => [
    p.period,
    String(p.n),
    fmt(p.nps),
    `${fmt(clamp(p.ci95[0]))} – ${fmt(clamp(p.ci95[1]))}`,
    signed(p.change),
    pText(p.p),
    sig(p),
  ]);
}

test('key drivers: the table is the core’s, its fix-first item marked in the chart and table and named in the top row', async () => {
  // The CLI's JSON has the issue's fields; its table names the item to fix first.
  const cli = {
    ...json('drivers', DATED),
    fix_first: /^Fix first: Q(\d+) /m
      .exec(manyi('drivers', DATED, '--lang', 'en'))?.[1]
      ?.replace(/^/, 'q'),
  };
  assert.ok(cli.fix_first, 'the generated data has an item to fix first');
  const { context, page, errors } = await openDated();
  assert.deepEqual(await driverRows(page), expectedDrivers(cli));
  assert.equal(
    await page.locator('#drv-summary').textContent(),
    `n = ${cli.n} · R² = ${fmt(cli.r2, 3)}（各项共同解释 Q17 差异的比例）`,
  );
  // 3,000 answers are not few: no small-sample warning.
  assert.equal(await page.locator('#drv-small').count(), 0);
  assert.equal(await page.locator('#kpi-fix-small').count(), 0);
  // The pick: one row marked (with words, not only a colour), one point drawn as the mark, the top row names it.
  assert.deepEqual(
    await page
      .locator('#drv-table tr.fix-first')
      .evaluateAll((trs) => trs.map((tr) => tr.dataset.question)),
    [cli.fix_first],
  );
  assert.equal(await page.locator('#drv-table tr.fix-first .badge').textContent(), '优先改进');
  assert.equal(await page.locator('#drivers svg circle.mark').count(), 1);
  assert.equal(await page.locator('#drivers svg circle').count(), cli.items.length);
  assert.match(
    await page.locator('#drivers svg').getAttribute('aria-label'),
    new RegExp(`${cli.fix_first.toUpperCase()} .*为优先改进项`),
  );
  assert.match(await page.locator('#drivers svg').textContent(), /优先改进/);
  assert.equal(await page.locator('#kpi-fix').textContent(), cli.fix_first.toUpperCase());
  assert.match(
    await page.locator('#drv-pick').textContent(),
    new RegExp(`^优先改进：${cli.fix_first.toUpperCase()} `),
  );
  await toEnglish(page);
  assert.equal(await page.locator('#drv-table tr.fix-first .badge').textContent(), 'Fix first');
  assert.equal(await page.locator('#kpi-fix').textContent(), cli.fix_first.toUpperCase());
  assert.deepEqual(await driverRows(page), expectedDrivers(cli));
  assert.deepEqual(errors, []);
  await context.close();
});

test('trend: 12 months of 2023 as the CLI gives them, 4 quarters, the arrow the core’s verdict on the last change', async () => {
  const months = json('trend', DATED, '--period', 'month');
  const quarters = json('trend', DATED, '--period', 'quarter');
  assert.equal(months.periods.length, 12);
  const { context, page, errors } = await openDated();
  assert.deepEqual(await trendRows(page), expectedTrend(months));
  // Each significant change is circled in the chart as well as marked in the table.
  assert.equal(
    await page.locator('#trend svg circle.mark').count(),
    months.periods.filter((p) => p.significant).length,
  );
  const last = months.periods.at(-1);
  const dir = last.significant ? (last.change > 0 ? 'up' : 'down') : 'flat';
  assert.equal(await page.locator('#nps-trend').getAttribute('data-trend'), dir);
  assert.equal(
    await page.locator('#nps-trend .arrow').textContent(),
    { up: '↑', down: '↓', flat: '→' }[dir],
  );
  assert.match(await page.locator('#nps-trend').textContent(), /2023-12 .*2023-11/);
  // The period switch: quarters, and the arrow follows.
  await page.locator('#period-quarter').check();
  await page.waitForFunction(() => document.querySelectorAll('#trend-table tbody tr').length === 4);
  assert.deepEqual(await trendRows(page), expectedTrend(quarters));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'period-quarter');
  assert.match(await page.locator('#nps-trend').textContent(), /2023-Q4 .*2023-Q3/);
  await page.locator('#period-week').check();
  await page.waitForFunction(() =>
    document.querySelector('#trend-table tbody tr th')?.textContent.includes('-W'),
  );
  const weeks = json('trend', DATED, '--period', 'week');
  assert.deepEqual(await trendRows(page), expectedTrend(weeks));
  // A year of weeks: the table shows the latest 12 until asked for all (the chart has all).
  assert.ok(weeks.periods.length > 12);
  const visible = () => page.locator('#trend-table tbody tr:visible th').allTextContents();
  assert.deepEqual(
    await visible(),
    weeks.periods.slice(-12).map((p) => p.period),
  );
  assert.equal(
    await page.locator('#trend-shown').textContent(),
    `表中先列出最近 12 期（共 ${weeks.periods.length} 期；图中为全部）。`,
  );
  await page.locator('#trend-all').click();
  assert.deepEqual(
    await visible(),
    weeks.periods.map((p) => p.period),
  );
  assert.equal(await page.locator('#trend-all').count(), 0);
  await toEnglish(page);
  await page.locator('#period-month').check();
  await page.waitForFunction(
    () => document.querySelectorAll('#trend-table tbody tr').length === 12,
  );
  assert.deepEqual(await trendRows(page), expectedTrend(months, 'en'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a filter changes the key drivers and the trend as the CLI computes them on the kept rows', async () => {
  const { context, page, errors } = await openDated();
  const before = await page.locator('#drv-summary').textContent();
  await page.locator('#mode-paper').check();
  const paper = subset('mode', 'paper');
  const kept = lines.slice(1).filter((l) => l.split(',').at(-2) === 'paper').length;
  await page.waitForFunction(
    (n) => document.querySelector('#dash-context')?.textContent.startsWith(`n = ${n}（`),
    kept,
  );
  await driversDrawn(page);
  const cli = json('drivers', paper);
  assert.notEqual(await page.locator('#drv-summary').textContent(), before);
  assert.match(await page.locator('#drv-summary').textContent(), new RegExp(`^n = ${cli.n} ·`));
  assert.deepEqual(await driverRows(page), expectedDrivers(cli));
  assert.deepEqual(await trendRows(page), expectedTrend(json('trend', paper, '--period', 'month')));
  // The date range: April to June leaves three months.
  await page.locator('#filter-from').fill('2023-04-01');
  await page.locator('#filter-to').fill('2023-06-30');
  await page.locator('#filter-to').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelectorAll('#trend-table tbody tr').length === 3);
  assert.deepEqual(await page.locator('#trend-table tbody th').allTextContents(), [
    '2023-04',
    '2023-05',
    '2023-06',
  ]);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The demo's dashboard on a phone, its key drivers drawn. */
async function demoOnPhone() {
  const context = await env.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await openStaff(page, `${env.url}dashboard.html?demo`);
  await page.locator('#nps-value').waitFor();
  await driversDrawn(page);
  return { context, page, errors };
}

test('key drivers of fewer than 30 answers say to read them with care, beside the pick and in the top row, as the CLI does', async () => {
  const { context, page, errors } = await demoOnPhone();
  assert.equal(await page.locator('#drv-small').count(), 0, 'the 366 thesis answers are not few');
  // 20 responses: enough to compute (five items need seven), too few to lean on.
  const few = `${lines.slice(0, 21).join('\n')}\n`;
  const cli = JSON.parse(
    execFileSync(
      'cargo',
      ['run', '--quiet', '--release', '--bin', 'manyi', '--', 'drivers', '-', '--json'],
      {
        cwd: ROOT,
        input: few,
        encoding: 'utf8',
      },
    ),
  );
  assert.ok(cli.n < 30 && cli.n >= 7, `n = ${cli.n}`);
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'few.csv', mimeType: 'text/csv', buffer: Buffer.from(few) });
  await page.locator('#drv-small').waitFor();
  await driversDrawn(page);
  assert.equal(
    await page.locator('#drv-small').textContent(),
    `只有 ${cli.n} 份问卷同时回答了 NPS 题和全部满意度项目（少于 30）：各项占比随样本波动很大，结果仅供参考`,
  );
  assert.equal(await page.locator('#drv-table tbody tr').count(), cli.items.length);
  // The top row's "fix first" carries the same warning as a small NPS.
  assert.equal(await page.locator('#kpi-fix-small').textContent(), '作答人数少于 30，结果仅供参考');
  await toEnglish(page);
  assert.equal(
    await page.locator('#drv-small').textContent(),
    `Only ${cli.n} responses answered the NPS question and every satisfaction item (fewer than 30): the shares move a lot from sample to sample, so read them with care`,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('data without dates explains why there is no trend; a file too small for key drivers shows the core’s refusal', async () => {
  const { context, page, errors } = await demoOnPhone();
  assert.equal(
    await page.locator('#trend-none').textContent(),
    '这份数据没有日期列（date、submitted_at 或 keyed_at），无法按时间看 NPS 走势。',
  );
  assert.equal(await page.locator('#trend svg').count(), 0);
  assert.equal(await page.locator('#nps-trend').count(), 0);
  // The demo data's drivers are the CLI's too.
  assert.deepEqual(
    await driverRows(page),
    expectedDrivers(json('drivers', join(ROOT, 'www/demo/zg-x-branch-2023.csv'))),
  );
  await toEnglish(page);
  assert.match(
    await page.locator('#trend-none').textContent(),
    /^No date column .* no trend over time\.$/,
  );
  // Four responses: five items need seven.
  const small = `${lines.slice(0, 5).join('\n')}\n`;
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from(small) });
  await page.locator('#drv-failed').waitFor();
  assert.equal(await page.locator('#drivers svg').count(), 0);
  assert.equal(await page.locator('#drv-table').count(), 0);
  const rows = Number(
    /(\d+) rows answered/.exec(
      execFileSync(
        'sh',
        ['-c', `cargo run --quiet --release --bin manyi -- drivers - --json 2>&1 || true`],
        { cwd: ROOT, input: small, encoding: 'utf8' },
      ),
    )?.[1],
  );
  assert.ok(rows < 7, 'the CLI refuses the same rows');
  assert.equal(
    await page.locator('#drv-failed').textContent(),
    `Key drivers cannot be computed: only ${rows} response${rows === 1 ? '' : 's'} answered the NPS question and every satisfaction item, too few`,
  );
  assert.equal(await page.locator('#kpi-fix').count(), 0);
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.equal(
    await page.locator('#drv-failed').textContent(),
    `无法计算关键驱动因素：同时回答了 NPS 题和全部满意度项目的问卷只有 ${rows} 份，太少`,
  );
  assert.doesNotMatch(await page.locator('main').innerText(), /\bnull\b|\bundefined\b|\bNaN\b/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** What the phone and laptop checks measure on the page as it is now. */
function measure(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const name = (el) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
    const targets = [
      ...document.querySelectorAll(
        'button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="file"]), label.check-option, label.button, a',
      ),
    ]
      .filter(
        (el) => visible(el) && !el.closest('.visually-hidden') && !el.classList.contains('skip'),
      )
      .filter(
        (el) => el.getBoundingClientRect().width < 44 || el.getBoundingClientRect().height < 44,
      )
      .map(name);
    const charts = ['#drivers svg', '#trend svg'].map((sel) => {
      const sizes = [...document.querySelectorAll(`${sel} text`)]
        .filter(visible)
        .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
      return sizes.length ? Math.min(...sizes) : 0;
    });
    const wide = [...document.body.querySelectorAll('*')]
      .filter(
        (el) =>
          visible(el) &&
          !el.closest('.scroll') &&
          el.getBoundingClientRect().right > innerWidth + 0.5,
      )
      .map(name)
      .slice(0, 5);
    const clipped = [
      ...document.querySelectorAll(
        '#drv-table tbody td, #drv-table tbody th, #trend-table tbody td, #trend-table tbody th',
      ),
    ]
      .filter(
        (c) =>
          visible(c) &&
          (c.scrollWidth > c.clientWidth + 1 ||
            c.getBoundingClientRect().right >
              c.closest('.scroll').getBoundingClientRect().right + 1),
      )
      .map((c) => `${c.closest('table').id} ${c.textContent.slice(0, 20)}`);
    const nps = document.querySelector('#nps-value').getBoundingClientRect();
    return {
      scrollWidth: document.documentElement.scrollWidth,
      targets,
      charts,
      wide,
      clipped,
      npsBottom: nps.bottom + scrollY,
      text: document.body.innerText,
    };
  });
}

for (const [width, height] of [
  [360, 780],
  [390, 844],
  [1366, 768],
]) {
  for (const lang of ['zh', 'en']) {
    test(`${width}×${height} in ${lang}: NPS above the fold, nothing overflows, chart text 12 px, targets 44 px, axe clean`, async () => {
      const { context, page, errors } = await openDated({ width, height }, lang);
      // On a phone the drivers' chart and table wait behind a button (the pick is above it); wider they show.
      const toggle = page.locator('#drv-toggle');
      assert.equal(await toggle.isVisible(), width < 640);
      if (width < 640) {
        assert.equal(await page.locator('#drv-table').isVisible(), false);
        assert.equal(await page.locator('#drv-pick').isVisible(), true);
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      }
      assert.equal(await page.locator('#drv-table').isVisible(), true);
      const m = await measure(page);
      assert.ok(m.npsBottom <= height, `NPS ends at ${m.npsBottom} px`);
      assert.ok(m.scrollWidth <= width, `page ${m.scrollWidth} px wide (${m.wide.join(', ')})`);
      assert.deepEqual(m.wide, []);
      assert.deepEqual(m.clipped, [], 'table cells cut off');
      assert.deepEqual(m.targets, [], 'touch targets under 44 px');
      assert.ok(
        m.charts.every((px) => px >= 12),
        `chart text ${m.charts.map((px) => px.toFixed(1)).join(', ')} px`,
      );
      assert.doesNotMatch(m.text, /\bnull\b|\bundefined\b|\bNaN\b/);
      // The charts are named images; the tables beside them say the same in words.
      for (const id of ['#drivers', '#trend']) {
        assert.equal(await page.locator(`${id} svg`).getAttribute('role'), 'img');
        assert.ok((await page.locator(`${id} svg`).getAttribute('aria-label')).length > 20);
      }
      // On a phone the drivers table goes under the chart, beside it on a laptop.
      const chart = await page.locator('#drivers svg').boundingBox();
      const table = await page.locator('#drv-table').boundingBox();
      if (width < 900) assert.ok(table.y >= chart.y + chart.height, 'table under the chart');
      else assert.ok(table.x >= chart.x + chart.width, 'table beside the chart');
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('printed: the caveats beside the figures print with them (few answers, no dates, the cross-tab legend)', async () => {
  const { context, page, errors } = await demoOnPhone();
  // 20 responses, their date column left out: every caveat is on screen.
  const few = `${lines
    .slice(0, 21)
    .map((l) => l.split(',').slice(0, -1).join(','))
    .join('\n')}\n`;
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'few.csv', mimeType: 'text/csv', buffer: Buffer.from(few) });
  await page.locator('#drv-small').waitFor();
  await driversDrawn(page);
  const caveats = [
    '#kpi-fix-small',
    '#drv-small',
    '.kpi-nps .hint',
    '#trend-none',
    '#xt-tests + p.hint',
  ];
  for (const id of caveats)
    assert.ok(await page.locator(id).first().isVisible(), `${id} on screen`);
  await page.emulateMedia({ media: 'print' });
  for (const id of caveats) assert.ok(await page.locator(id).first().isVisible(), `${id} printed`);
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('printed: key drivers and trend each keep chart and table together, in a report of a few pages', async () => {
  const { context, page, errors } = await openDated({ width: 1280, height: 900 });
  await page.emulateMedia({ media: 'print' });
  for (const id of ['#drivers svg', '#drv-table', '#trend svg', '#trend-table'])
    assert.equal(await page.locator(id).isVisible(), true, id);
  assert.equal(await page.locator('#trend-period').isVisible(), false, 'no period switch on paper');
  const chart = await page.locator('#drivers svg').boundingBox();
  const table = await page.locator('#drv-table').boundingBox();
  assert.ok(table.x >= chart.x + chart.width, 'drivers table beside its chart');
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  // 3,000 responses: the follow-up list's 200 detractors take most of it.
  assert.ok(pages <= 14, `${pages} pages`);
  assert.deepEqual(errors, []);
  await context.close();
});

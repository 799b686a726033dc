// End to end: the dashboard on a phone and a laptop (issue 16). On 360 and
// 390 px phones, in Chinese and English: nothing wider than the screen (the
// selects of long questions included), touch targets of 44 px, text of 11 px
// and chart text of 12 px at least, no "null"/"undefined"/"NaN", tables that
// reflow into one card per row, a follow-up list paged by ten, frequencies
// folded. On a 1366×768 laptop the key figures (NPS with its interval, n,
// index, detractors) are above the fold. Printing gives a short A4 report
// headed with the data set, the filters and the date. The empty dashboard and
// a file that fails say so in the page's language.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, launch, openStaff, openPage } from './browser.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

async function openDemo(viewport, lang = 'zh') {
  const context = await env.newContext({ viewport });
  const { page, errors } = await openPage(context, `${env.url}dashboard.html?demo`);
  await page.locator('#nps-value').waitFor();
  // The key drivers follow the rest of the view.
  await page.waitForFunction(() => document.querySelector('#board')?.dataset.drivers === 'ready');
  if (lang === 'en') {
    await page.locator('#lang').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
  }
  return { context, page, errors };
}

/** Everything measured on the page as it is now. */
function measure(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const name = (el) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
    // Touch targets: what a finger presses (a checkbox or radio is pressed through its label).
    const targets = [
      ...document.querySelectorAll(
        'button, select, input:not([type="checkbox"]):not([type="radio"]):not([type="file"]), label.check-option, label.button, a',
      ),
    ]
      .filter(
        (el) => visible(el) && !el.closest('.visually-hidden') && !el.classList.contains('skip'),
      )
      .map((el) => ({
        el: name(el),
        w: el.getBoundingClientRect().width,
        h: el.getBoundingClientRect().height,
      }))
      .filter((t) => t.w < 44 || t.h < 44);
    // Rendered text: every element with a text node of its own.
    const small = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!visible(el) || el.closest('svg') || el.closest('.visually-hidden')) continue;
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 11) small.push(`${name(el)} ${size}px`);
    }
    // Chart text as drawn: its font size times the chart's scale.
    const chartText = [...document.querySelectorAll('svg text')]
      .filter((t) => visible(t))
      .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    // Elements wider than the screen, outside a region that scrolls on its own.
    const wide = [...document.body.querySelectorAll('*')]
      .filter(
        (el) =>
          visible(el) &&
          !el.closest('.scroll') &&
          el.getBoundingClientRect().right > innerWidth + 0.5,
      )
      .map(name)
      .slice(0, 5);
    // Cells whose content is cut off (wider than the cell, or the cell wider than its row's card).
    const clipped = [...document.querySelectorAll('table.stack tbody td, table.stack tbody th')]
      .filter(
        (c) =>
          visible(c) &&
          (c.scrollWidth > c.clientWidth + 1 ||
            c.getBoundingClientRect().right >
              c.closest('.scroll').getBoundingClientRect().right + 1),
      )
      .map((c) => `${c.closest('table').id} ${c.dataset.label ?? ''} ${c.textContent.slice(0, 20)}`)
      .slice(0, 5);
    return {
      clipped,
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      innerHeight,
      height: document.documentElement.scrollHeight,
      targets,
      small,
      minChart: Math.min(...chartText),
      charts: chartText.length,
      wide,
      text: document.body.innerText,
    };
  });
}

function assertPhone(m, where) {
  assert.ok(
    m.scrollWidth <= m.innerWidth,
    `${where}: page ${m.scrollWidth} px wide on a ${m.innerWidth} px screen (${m.wide.join(', ')})`,
  );
  assert.deepEqual(m.wide, [], `${where}: wider than the screen`);
  assert.deepEqual(m.targets, [], `${where}: touch targets under 44 px`);
  assert.deepEqual(m.clipped, [], `${where}: table cells cut off`);
  assert.deepEqual(m.small, [], `${where}: text under 11 px`);
  assert.ok(m.charts > 0 && m.minChart >= 12, `${where}: chart text ${m.minChart.toFixed(1)} px`);
  assert.doesNotMatch(m.text, /\bnull\b|\bundefined\b|\bNaN\b/, where);
}

for (const width of [360, 390]) {
  for (const lang of ['zh', 'en']) {
    test(`on a ${width} px phone in ${lang}: nothing overflows, targets 44 px, text readable, tables reflow, lists paged`, async () => {
      const { context, page, errors } = await openDemo({ width, height: 800 }, lang);
      assertPhone(await measure(page), 'opened');
      // The satisfaction table is one card per item: the question on a line of its own, the full width.
      const rows = page.locator('#sat-table tbody tr');
      assert.equal(await rows.count(), 5);
      for (let i = 0; i < 5; i++) {
        const th = await rows.nth(i).locator('th').boundingBox();
        const tr = await rows.nth(i).boundingBox();
        assert.ok(th.width >= width - 80, `question label ${th.width} px wide`);
        assert.ok(tr.height <= 160, `satisfaction row ${tr.height} px tall`);
      }
      // The follow-up list: ten rows on screen, a pager for the rest (all 137 stay in the table for the print).
      assert.equal(await page.locator('#fu-table tbody tr').count(), 137);
      const shown = () =>
        page
          .locator('#fu-table tbody tr')
          .evaluateAll((trs) =>
            trs.filter((tr) => tr.getBoundingClientRect().height > 0).map((tr) => tr.dataset.id),
          );
      const first = await shown();
      assert.equal(first.length, 10);
      assert.match(
        await page.locator('#fu-page').textContent(),
        lang === 'en' ? /^1–10 of 137$/ : /^第 1–10 人，共 137 人$/,
      );
      assert.equal(await page.locator('#fu-prev').isDisabled(), true);
      await page.locator('#fu-next').click();
      const second = await shown();
      assert.equal(second.length, 10);
      assert.notDeepEqual(second, first);
      // Frequencies are folded: the page opens short.
      assert.equal(await page.locator('#freq-list').isVisible(), false);
      const { height, innerHeight } = await measure(page);
      assert.ok(
        height <= 9 * innerHeight,
        `page ${(height / innerHeight).toFixed(1)} screens long`,
      );
      // Long questions in every select, the frequencies open, NPS by a segment: still nothing overflows.
      await page.locator('#filter-question').selectOption('q14');
      await page.locator('#xt-row').selectOption('q15');
      await page.locator('#xt-col').selectOption('q16');
      await page.waitForFunction(() =>
        document.querySelector('#xt-table caption')?.textContent.startsWith('Q15'),
      );
      await page.locator('#nps-by').click();
      await page.locator('#npsby-table').waitFor();
      await page.locator('#freq-toggle').click();
      assert.equal(await page.locator('#freq-toggle').getAttribute('aria-expanded'), 'true');
      assert.equal(await page.locator('#freq-list').isVisible(), true);
      assertPhone(await measure(page), 'everything open');
      // A cross-tab row label keeps a readable width (the table scrolls inside its region instead).
      const label = await page.locator('#xt-table tbody th').first().boundingBox();
      assert.ok(label.width >= 90, `cross-tab row label ${label.width} px`);
      // ... and says so above it, in the page's language.
      const hint = page
        .locator('#xt-table')
        .locator('xpath=ancestor::div[contains(@class,"scroll")]/preceding-sibling::p[1]');
      assert.equal(await hint.getAttribute('class'), 'hint scroll-hint');
      assert.match(
        await hint.textContent(),
        lang === 'en' ? /^A wide table: swipe it sideways/ : /^表格较宽/,
      );
      // The stacked tables, the pager and the open frequencies stay accessible.
      assert.deepEqual(await axe(page), []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('on a 1366×768 laptop the key figures come first, NPS above the fold, charts at 12 px at least', async () => {
  for (const lang of ['zh', 'en']) {
    const { context, page, errors } = await openDemo({ width: 1366, height: 768 }, lang);
    for (const id of ['#nps-value', '#nps-ci', '#kpi-n', '#kpi-index', '#kpi-follow']) {
      const box = await page.locator(id).boundingBox();
      assert.ok(box && box.y + box.height <= 768, `${id} below the fold (${box?.y})`);
    }
    assert.equal(await page.locator('#kpi-n').textContent(), '366');
    assert.equal(await page.locator('#kpi-follow').textContent(), '137');
    assert.match(await page.locator('#kpi-index').textContent(), /^\d+\.\d\d$/);
    await page.locator('#freq-toggle').click();
    const m = await measure(page);
    assert.ok(m.scrollWidth <= m.innerWidth);
    assert.ok(m.minChart >= 12, `chart text ${m.minChart} px`);
    assert.deepEqual(m.small, []);
    assert.doesNotMatch(m.text, /\bnull\b|\bundefined\b|\bNaN\b/);
    assert.deepEqual(errors, []);
    // Nothing is too wide on a laptop: no table says it scrolls.
    assert.equal(await page.locator('#board .scroll-hint').count(), 0);
    await context.close();
  }
});

test('p below 0.001 reads "p < 0.001", never "p = < 0.001"', async () => {
  const { context, page } = await openDemo({ width: 390, height: 800 });
  // Q2 × Q14 on the demo data: p < 0.001.
  assert.equal(await page.locator('#xt-p').textContent(), 'p < 0.001');
  assert.doesNotMatch(await page.locator('#xt-tests').textContent(), /=\s*</);
  await context.close();
});

test('the printed report is short and headed with the data set, the filters and the date', async () => {
  const { context, page, errors } = await openDemo({ width: 1280, height: 900 });
  await page.emulateMedia({ media: 'print' });
  const head = await page.locator('#print-head').textContent();
  assert.equal(await page.locator('#print-head').isVisible(), true);
  const today = await page.evaluate(() =>
    new Date().toLocaleDateString('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' }),
  );
  assert.match(head, /zg-x-branch-2023\.csv/);
  assert.match(head, /筛选：无筛选/);
  assert.ok(head.includes(today), `${head} lacks ${today}`);
  // Every follow-up row and every frequency table print, the screen's folds open.
  assert.equal(await page.locator('#freq-list').isVisible(), true);
  assert.equal(await page.locator('#fu-table tbody tr').last().isVisible(), true);
  assert.equal(await page.locator('.pager').isVisible(), false);
  // Chart text prints at about the tables' size (7.5 pt = 10 px), not shrunk to fit: each chart
  // is drawn again at its printed width. (Before: the key drivers' text printed at 6.4 px, 4.8 pt.)
  await page.setViewportSize({ width: 718, height: 1000 }); // A4's printable width
  await page.waitForFunction(() =>
    [...document.querySelectorAll('svg.chart')].some((s) => s.getBoundingClientRect().width > 0),
  );
  const printed = await page.evaluate(() =>
    [...document.querySelectorAll('svg.chart')]
      .filter((svg) => svg.getBoundingClientRect().width > 0)
      .map((svg) => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const sizes = [...svg.querySelectorAll('text')].map(
          (t) => parseFloat(t.getAttribute('font-size') ?? getComputedStyle(t).fontSize) * scale,
        );
        return { in: svg.closest('section')?.id, px: Math.min(...sizes) };
      }),
  );
  assert.ok(printed.length >= 3, JSON.stringify(printed));
  for (const c of printed)
    assert.ok(c.px >= 10, `chart in #${c.in} prints its text at ${c.px.toFixed(1)} px`);
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.ok(pages <= 8, `${pages} pages`);
  // With a filter, the head names it.
  await page.emulateMedia({ media: 'screen' });
  await page.locator('#filter-question').selectOption('q1');
  await page.locator('#opt-q1-A').check();
  await page.waitForFunction(() =>
    document.querySelector('#print-head')?.textContent.includes('Q1 = A'),
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('an empty dashboard says there are no responses yet, not "under the filter"', async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await openStaff(page, `${env.url}dashboard.html`);
  await page.locator('#dash-empty').waitFor();
  assert.equal(await page.locator('#dash-empty').textContent(), '这份数据还没有问卷。');
  assert.doesNotMatch(await page.locator('main').innerText(), /筛选下没有问卷/);
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(
    await page.locator('#dash-empty').textContent(),
    'This data set has no responses yet.',
  );
  await context.close();
});

test('a file that cannot be loaded is explained in the page’s language', async () => {
  const context = await env.newContext({ viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await openStaff(page, `${env.url}dashboard.html?demo`);
  await page.locator('#nps-value').waitFor();
  // The key drivers follow the rest of the view.
  await page.waitForFunction(() => document.querySelector('#board')?.dataset.drivers === 'ready');
  await page
    .locator('#src-file')
    .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('id,q1\nX1,Z\n') });
  const failure = page.locator('#dash-failure');
  await failure.waitFor();
  const zh = await failure.innerText();
  assert.match(zh, /^无法载入 bad\.csv：/);
  // The core's problems in Chinese (texts.js problem.*), not its English messages.
  assert.doesNotMatch(
    zh.replace(/bad\.csv/g, '').replace(/\b(id|q\d+|Q\d+|X1|Z)\b/g, ''),
    /[A-Za-z]{4,}/,
    zh,
  );
  await page.locator('#lang').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await failure.innerText(), /^Could not load bad\.csv: /);
  await context.close();
});

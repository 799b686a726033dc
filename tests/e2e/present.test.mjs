// The main page's report and the dashboard write figures through one module,
// www/present.js (issue 16: they disagreed on colours, column order and
// decimals). No browser needed: these are plain modules and style sheets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const { COLORS, num, pct, pText, SAT_COLUMNS, satisfactionCells } =
  await import('../../www/present.js');
const read = (f) => readFileSync(new URL(`../../www/${f}`, import.meta.url), 'utf8');

test('the style sheet colours NPS groups as the charts do', () => {
  const css = read('style.css');
  const v = (name) => css.match(new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`))?.[1]?.toUpperCase();
  assert.equal(v('promoter'), COLORS.good.toUpperCase());
  assert.equal(v('passive'), COLORS.middle.toUpperCase());
  assert.equal(v('detractor'), COLORS.bad.toUpperCase());
});

test('figures are written as the command-line report writes them (two decimals, a real minus, a dash for none)', () => {
  assert.equal(num(-3.278688524590164), '\u22123.28'); // the thesis's NPS
  assert.equal(num(42.3456), '42.35');
  assert.equal(num(null), '—');
  assert.equal(num(NaN), '—');
  assert.equal(pct(34.153), '34.15%');
  assert.equal(pText(0.0004), 'p < 0.001');
  assert.equal(pText(0.0421), 'p = 0.042');
  assert.deepEqual(
    satisfactionCells({ n: 366, pct_top: 40.1, pct_bottom: 12.5, mean: 2.276, index: 63.8 }),
    ['366', '40.10%', '12.50%', '2.28', '63.80'],
  );
  assert.deepEqual(SAT_COLUMNS, ['sat.valid', 'sat.top', 'sat.bottom', 'sat.mean', 'sat.index']);
});

test('the main page and the dashboard take their formats from present.js, not their own', () => {
  for (const page of ['app.js', 'dashboard.js', 'cases.js', 'charts.js']) {
    const src = read(page);
    assert.match(src, /from '\.\/present\.js'/, `${page} uses present.js`);
    assert.doesNotMatch(
      src,
      /toFixed\(2\)\)\)|const (fmt|fmtPct|pText|minus) = \(/,
      `${page} formats no figure itself`,
    );
    assert.doesNotMatch(
      src,
      /#0072B2|#D55E00|#1a7f37|#b3261e/i,
      `${page} has no colour of its own for the groups`,
    );
  }
});

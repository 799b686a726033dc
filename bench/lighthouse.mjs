// Lighthouse (mobile preset: simulated slow 4G and a 4× slower CPU) on every
// page, in Debian's Chromium, against the targets of issue 16: performance
// ≥ 95, accessibility 100, best practices 100, SEO ≥ 95. A benchmark, not a
// test: performance is a timing and varies with the machine's load, so run it
// on a quiet machine (`./dev build` first, then `node bench/lighthouse.mjs`).
// The staff screens are measured as a first visit sees them: their lock.
// Prints a table and exits 1 if a page misses a target.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch as launchChrome } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startServer } from '../scripts/serve.mjs';

const PAGES = [
  'survey.html',
  'index.html',
  'entry.html',
  'dashboard.html',
  'invite.html',
  'paper-form.html',
];
const TARGETS = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 95 };

const server = await startServer({ port: 0 });
const base = `http://127.0.0.1:${server.address().port}/`;
const rows = [];
let missed = 0;
for (const page of PAGES) {
  const profile = mkdtempSync(join(tmpdir(), 'manyi-lighthouse-'));
  const chrome = await launchChrome({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    userDataDir: profile,
    chromeFlags: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    // A run that could not measure the page (no LCP: Lighthouse's trace came back empty) is run once more.
    let { lhr } = await lighthouse(`${base}${page}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
    });
    if (!lhr.audits['largest-contentful-paint'].displayValue)
      ({ lhr } = await lighthouse(`${base}${page}`, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
      }));
    const scores = Object.fromEntries(
      Object.keys(TARGETS).map((k) => [k, Math.round(lhr.categories[k].score * 100)]),
    );
    const misses = Object.entries(TARGETS)
      .filter(([k, t]) => scores[k] < t)
      .map(([k]) => k);
    missed += misses.length;
    rows.push({
      page,
      ...scores,
      LCP: lhr.audits['largest-contentful-paint'].displayValue,
      CLS: lhr.audits['cumulative-layout-shift'].displayValue,
      missed: misses.join(', ') || '—',
      error: lhr.runtimeError?.code ?? lhr.audits['largest-contentful-paint'].errorMessage ?? '',
    });
  } finally {
    await chrome.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}
await new Promise((ok) => server.close(ok));
console.log(`| page | ${Object.keys(rows[0]).slice(1).join(' | ')} |`);
console.log(
  `|---|${Object.keys(rows[0])
    .slice(1)
    .map(() => '---')
    .join('|')}|`,
);
for (const r of rows) console.log(`| ${Object.values(r).join(' | ')} |`);
process.exit(missed ? 1 : 0);

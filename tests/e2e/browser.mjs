// Shared set-up of the browser tests: the page's server on a free loopback
// port, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts the server (with `extra` folders mounted, or one built `site`: see serve.mjs) and a browser; returns them with `newContext()` (a fresh,
 * isolated profile: empty storage, as a first visit) and `close()` for both.
 */
export async function launch({ extra = [], site = null } = {}) {
  const server = await startServer({ port: 0, extra, site });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  // Playwright gives the browser a fresh --user-data-dir of its own under this temp dir.
  const tmp = mkdtempSync(join(tmpdir(), 'manyi-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    tracesDir: tmp,
    env: { ...process.env, TMPDIR: tmp },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return {
    browser,
    url: `http://127.0.0.1:${port}/`,
    newContext: (options = {}) => browser.newContext(options),
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Runs axe-core on the page; returns its violations (ids and targets). */
export async function axe(page) {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the debugger protocol, not as an inline <script>: the
  // pages' Content-Security-Policy refuses inline scripts, as it should.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    // @ts-ignore axe is the global the script above defines
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return result;
}

/** Every record of an IndexedDB store of the page's "manyi" database (codes as plain arrays). */
export function idbAll(page, store) {
  return page.evaluate(
    (name) =>
      new Promise((ok, fail) => {
        const req = indexedDB.open('manyi');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction(name).objectStore(name).getAll();
          get.onsuccess = () =>
            ok(get.result.map((r) => (r.codes ? { ...r, codes: Array.from(r.codes) } : r)));
          get.onerror = () => fail(get.error);
        };
      }),
    store,
  );
}

/** The staff passphrase the tests set on a fresh device. */
export const PASSPHRASE = 'branch passphrase 1';

/**
 * Gets past the staff lock of a staff screen just opened (www/lock.js): sets
 * the passphrase on a device that has none, or enters it; nothing if this
 * tab's staff session is already unlocked.
 */
export async function unlockStaff(page, passphrase = PASSPHRASE) {
  await page.waitForFunction(
    () => document.documentElement.dataset.lock || document.documentElement.dataset.ready,
  );
  const state = await page.evaluate(() => document.documentElement.dataset.lock);
  if (!state) return;
  await page.locator('#lock-pass').fill(passphrase);
  if (state === 'none') await page.locator('#lock-again').fill(passphrase);
  await page.locator('#lock-go').click();
  await page.waitForFunction(() => !document.documentElement.dataset.lock);
}

/** Opens a staff screen (index, dashboard, entry, invite) and gets past its lock. */
export async function openStaff(page, url, passphrase = PASSPHRASE) {
  await page.goto(url);
  await unlockStaff(page, passphrase);
}

/**
 * A new tab of `context` on `url`, ready: a staff screen past its lock, the
 * survey (which has none) opened as is. The page's
 * uncaught errors are collected in `errors` for the test to check.
 */
export async function openPage(context, url, { staff = !url.includes('survey.html') } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  if (staff) await openStaff(page, url);
  else await page.goto(url);
  // A staff screen is ready; the survey may also have stopped on a refusal (data-ready="error").
  await page.locator(staff ? 'html[data-ready="true"]' : 'html[data-ready]').waitFor();
  return { page, errors };
}

/**
 * Every record of a store as the page reads it: opened with the unlocked staff
 * keys (on a staff screen), codes as plain arrays. Use idbAll for the bytes as stored.
 */
export function idbRevealed(page, store) {
  return page.evaluate(async (name) => {
    const s = await import('/storage.js');
    const db = await s.openDb();
    const rows = await s.done(db.transaction(name).objectStore(name).getAll());
    const open = await Promise.all(rows.map((r) => (name === 'meta' ? r : s.revealRecord(r))));
    return open.map((r) => (r?.codes ? { ...r, codes: Array.from(r.codes) } : r));
  }, store);
}

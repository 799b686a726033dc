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
 * Starts the server (with `extra` folders mounted, see serve.mjs) and a browser; returns them with `newContext()` (a fresh,
 * isolated profile: empty storage, as a first visit) and `close()` for both.
 */
export async function launch({ extra = [] } = {}) {
  const server = await startServer({ port: 0, extra });
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
    return r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
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
          get.onsuccess = () => ok(get.result.map((r) => (r.codes ? { ...r, codes: Array.from(r.codes) } : r)));
          get.onerror = () => fail(get.error);
        };
      }),
    store,
  );
}

// What a phone downloads, for bench/run.mjs (issue 19): every module under
// pkg/ (found by listing it, so a new add-on is counted without naming it
// here), raw and gzip -9; the survey's first load (every file the page
// fetched before its first question, as tests/e2e/dist.test.mjs counts it, on
// the site as deployed and on the source tree);
// and what the service worker keeps in its caches once the survey has been
// opened on a fresh phone.
//   node bench/download.mjs      (after ./dev build) prints the figures as JSON
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/e2e/browser.mjs';
import { buildDist } from '../scripts/dist.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Every .wasm and .js file under pkg/, with its folder (the add-on: '' for the analysis module's own). */
export function modules() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(wasm|js)$/.test(name)) {
        const bytes = readFileSync(path);
        const rel = relative(ROOT, path);
        out.push({
          path: rel,
          addon: relative(join(ROOT, 'pkg'), dir),
          raw: bytes.length,
          gzip: gzip(bytes),
        });
      }
    }
  };
  walk(join(ROOT, 'pkg'));
  return out;
}

/** The file the server sends for a URL path (the mounts of scripts/serve.mjs, or one built site), or null. */
function fileFor(pathname, site) {
  let p = decodeURIComponent(pathname);
  if (p.endsWith('/')) p += 'index.html';
  const candidates = site
    ? [join(site, p)]
    : p.startsWith('/pkg/') || p.startsWith('/instruments/')
      ? [join(ROOT, p)]
      : [join(ROOT, 'www', p)];
  for (const file of candidates) {
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      /* not there */
    }
  }
  return null;
}

/** Raw and gzip bytes of the files behind some URL paths (each counted once). */
function sizes(paths, site) {
  let raw = 0;
  let gz = 0;
  for (const p of new Set(paths)) {
    const file = fileFor(p, site);
    if (!file) continue;
    const bytes = readFileSync(file);
    raw += bytes.length;
    gz += gzip(bytes);
  }
  return { raw, gzip: gz };
}

/**
 * The survey on a fresh phone profile: what it fetched before its first
 * question (bytes on the wire, uncompressed as the bench's server sends them,
 * and the same files gzip -9), and what the service worker cached by then.
 * `site`: a folder built by scripts/dist.mjs (as deployed, minified), else the
 * source tree as `./dev serve` sends it.
 */
export async function measureSurvey(site = null) {
  const env = await launch({ site });
  try {
    const context = await env.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${env.url}survey.html`);
    await page.locator('html[data-screen="q1"]').waitFor({ timeout: 60000 });
    const loaded = await page.evaluate(() =>
      [
        ...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource'),
      ].map((e) => ({ name: new URL(e.name).pathname, bytes: e.encodedBodySize })),
    );
    // The service worker installed and active: what it holds now is what it precached (and the page's own fetches).
    const cached = await page.evaluate(async () => {
      if (!('serviceWorker' in navigator)) return null;
      await Promise.race([
        navigator.serviceWorker.ready,
        new Promise((ok) => setTimeout(ok, 20000)),
      ]);
      await new Promise((ok) => setTimeout(ok, 1000));
      const out = {};
      for (const name of await caches.keys())
        out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      return out;
    });
    const paths = cached ? Object.values(cached).flat() : [];
    const firstPaths = loaded.map((r) => r.name);
    return {
      first: {
        files: loaded.length,
        bytes: loaded.reduce((s, r) => s + r.bytes, 0),
        ...sizes(firstPaths, site),
        list: loaded,
      },
      cache: cached && {
        names: Object.keys(cached),
        files: new Set(paths).size,
        ...sizes(paths, site),
        modules: [...new Set(paths.filter((p) => p.startsWith('/pkg/')))].sort(),
      },
    };
  } finally {
    await env.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const site = mkdtempSync(join(tmpdir(), 'manyi-dist-'));
  try {
    await buildDist(site);
    console.log(
      JSON.stringify(
        { modules: modules(), deployed: await measureSurvey(site), source: await measureSurvey() },
        null,
        2,
      ),
    );
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}

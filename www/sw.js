// Offline support: after one visit the app shell, the pages' wasm module
// (pkg/page/), the built-in instrument and the demo data are cached. Requests
// go to the network first (so a new version is picked up on the next load: no
// stale-cache trap) and fall back to the cache when offline. The staff
// screens' worker module (pkg/) is cached when a staff screen or a kiosk
// survey asks (offline.js): a customer's own phone never downloads it. The
// add-ons (pkg/camera/ for QR decoding without BarcodeDetector, pkg/export/
// for .xlsx, .sav and Parquet) are not precached: only the screens that load
// them need them, and the fetch handler caches them the first time they are used.
//
// The cache is named after the build: `./dev build` writes pkg/build.js with a
// digest of every file served, so any change installs a new worker (the
// browser compares imported scripts byte for byte) whose cache replaces the
// old one. A package built by hand, without pkg/build.js, is build "dev".
try {
  importScripts('pkg/build.js');
} catch {
  // no build id: a hand-made package
}
/** This file runs as a service worker (checked with jsconfig.sw.json's WebWorker types). */
const sw = /** @type {ServiceWorkerGlobalScope & { MANYI_BUILD?: string }} */ (
  /** @type {unknown} */ (self)
);
const CACHE = `manyi-${sw.MANYI_BUILD ?? 'dev'}`;
const SHELL = [
  './',
  'index.html',
  'survey.html',
  'entry.html',
  'style.css',
  'survey.css',
  'entry.css',
  'app.js',
  'present.js',
  'report-tables.js',
  'answers.js',
  'survey.js',
  'entry.js',
  'dashboard.html',
  'dashboard.css',
  'dashboard.js',
  'cases.js',
  'charts.js',
  'invite.html',
  'invite.css',
  'invite.js',
  'qr.js',
  'paper-form.html',
  'paper-form.css',
  'paper-form.js',
  'core.js',
  'i18n.js',
  'texts.js',
  'seal.js',
  'vault.js',
  'lock.js',
  'dom.js',
  'instrument.js',
  'db.js',
  'storage.js',
  'chunks.js',
  'sets.js',
  'worker.js',
  'worker-bridge.js',
  'offline.js',
  'pkg/page/manyi_page.js',
  'pkg/page/manyi_page_bg.wasm',
  'demo/zg-x-branch-2023.csv',
  'instruments/zg-x-branch-2023.json',
];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

/** The staff screens' worker module: cached when a staff screen or a kiosk asks ('staff'). */
const STAFF = ['pkg/manyi.js', 'pkg/manyi_bg.wasm'];

sw.addEventListener('message', (event) => {
  if (event.data === 'staff') event.waitUntil(caches.open(CACHE).then((c) => c.addAll(STAFF)));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('manyi-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== sw.location.origin) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() =>
        caches.match(req, { ignoreSearch: true }).then((hit) => hit ?? Response.error()),
      ),
  );
});

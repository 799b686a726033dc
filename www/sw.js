// Offline support: after one visit the app shell, the wasm, the built-in
// instrument and the demo data are cached. Requests go to the network first
// (so a new version is picked up on the next load: no stale-cache trap) and
// fall back to the cache when offline.
const CACHE = 'manyi-shell';
const SHELL = [
  './', 'index.html', 'survey.html', 'entry.html', 'style.css', 'survey.css', 'entry.css', 'app.js', 'present.js',
  'survey.js', 'entry.js', 'dashboard.html', 'dashboard.css', 'dashboard.js', 'cases.js', 'charts.js', 'invite.html', 'invite.css',
  'invite.js', 'qr.js', 'paper-form.html', 'paper-form.css', 'paper-form.js', 'core.js',
  'i18n.js', 'texts.js', 'seal.js', 'vault.js', 'lock.js', 'dom.js', 'instrument.js', 'storage.js', 'chunks.js', 'sets.js', 'worker.js', 'worker-bridge.js', 'pkg/manyi.js', 'pkg/manyi_bg.wasm',
  'pkg/camera/manyi_camera.js', 'pkg/camera/manyi_camera_bg.wasm',
  'demo/zg-x-branch-2023.csv', 'instruments/zg-x-branch-2023.json',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit ?? Response.error())),
  );
});

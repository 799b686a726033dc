// A static file server for the page: www/ at /, the wasm-bindgen output at /pkg/,
// the instruments at /instruments/.
// Every response carries the security headers of scripts/headers.mjs.
// Loopback only by default. `node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--site dist]`
// (--site: one folder as `./dev dist` lays it out, e.g. to try the minified site).
// Any static host works as well: `./dev dist` lays the three out as one folder.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEADERS } from './headers.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const mounts = [
  ['/pkg/', join(root, 'pkg')],
  ['/instruments/', join(root, 'instruments')],
  ['/', join(root, 'www')],
];
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** Maps a URL path to a file under one of the mounts, or null. */
function locate(urlPath, extra = [], base = mounts) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path.endsWith('/')) path += 'index.html';
  for (const [prefix, dir] of [...extra, ...base]) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      /* fall through to the next mount */
    }
  }
  return null;
}

/**
 * Starts the server; resolves to it once it listens. Port 0 picks a free port.
 * `extra` mounts more folders ([['/prefix/', '/abs/dir'], …]), e.g. for benchmarks;
 * `site` serves one folder laid out as `./dev dist` makes it, instead of the three.
 */
export function startServer({ port = 8080, host = '127.0.0.1', extra = [], site = null } = {}) {
  const base = site ? [['/', resolve(site)]] : mounts;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = locate(req.url ?? '/', extra, base);
    if (!file) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...HEADERS })
        .end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': types[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ...HEADERS,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  const site = arg('--site', null);
  const server = await startServer({
    port: Number(arg('--port', 8080)),
    host: arg('--host', '127.0.0.1'),
    site,
  });
  const { address, port } = server.address();
  console.log(`manyi: serving http://${address}:${port}/  (Ctrl-C to stop)`);
}

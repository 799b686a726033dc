// The offline promise: every file a screen loads — its scripts, the modules
// they import (at once or later, as seal.js), its style sheets — is in the
// service worker's precache list, so a tablet that has loaded the site once
// works without the network. A module added without being listed fails here,
// not on a branch tablet offline. The on-demand add-ons (pkg/camera/,
// pkg/export/) are the exception, by design: only the screens that use them
// fetch them; and the staff worker's module (pkg/) is cached when a staff
// screen or a kiosk asks (sw.js's STAFF), not on a customer's phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const WWW = new URL('../../www/', import.meta.url).pathname;

/** A list of files as sw.js states it: SHELL (precached) or STAFF (cached when a staff screen asks). */
function listed(name) {
  const source = readFileSync(join(WWW, 'sw.js'), 'utf8');
  const list = new RegExp(`const ${name} = \\[([\\s\\S]*?)\\];`).exec(source);
  assert.ok(list, `sw.js states its ${name} list`);
  return new Set([...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]));
}

/** What a file refers to: a page's scripts and style sheets, a module's imports. */
function references(file) {
  const text = readFileSync(join(WWW, file), 'utf8');
  const found = file.endsWith('.html')
    ? [
        ...text.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
        ...text.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g),
      ]
    : [
        ...text.matchAll(/(?:import|export)\s[^'";]*?from\s*'([^']+)'/g),
        ...text.matchAll(/import\s*\(?\s*'([^']+)'/g),
        ...text.matchAll(/new Worker\(new URL\('([^']+)'/g),
      ];
  return found
    .map((m) => m[1])
    .filter((ref) => ref.startsWith('.') || !ref.includes(':'))
    .map((ref) => normalize(join(dirname(file), ref)));
}

test('every file a screen loads is precached by the service worker (add-ons apart)', () => {
  const shell = listed('SHELL');
  const staff = listed('STAFF');
  // The staff worker's module is cached when a staff screen asks, never on a customer's phone.
  assert.deepEqual([...staff].sort(), ['pkg/manyi.js', 'pkg/manyi_bg.wasm']);
  assert.ok(
    ![...staff].some((f) => shell.has(f)),
    'the staff module is not precached for everyone',
  );
  const pages = readdirSync(WWW).filter((f) => f.endsWith('.html'));
  const seen = new Set();
  const queue = [...pages];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    // pkg/ is wasm-bindgen's output, served beside www/: listed, not read.
    if ((file.endsWith('.js') || file.endsWith('.html')) && !file.startsWith('pkg/'))
      queue.push(
        ...references(file).filter(
          (f) => !f.startsWith('pkg/camera/') && !f.startsWith('pkg/export/'),
        ),
      );
  }
  // The graph reached the modules it must (a broken pattern would find nothing).
  const expected = [
    'app.js',
    'dom.js',
    'seal.js',
    'worker.js',
    'pkg/manyi.js',
    'pkg/page/manyi_page.js',
  ];
  for (const file of expected) assert.ok(seen.has(file), `${file} reached from the pages`);
  const missing = [...seen].filter(
    (f) => !shell.has(f) && !staff.has(f) && f !== 'pkg/build.js' && f !== 'sw.js',
  );
  assert.deepEqual(missing, [], 'files the screens load that sw.js does not precache');
});

// The static site as deployed: www/, pkg/ and instruments/ laid out as one
// folder, scripts and style sheets minified, and the security headers in
// _headers for hosts that read such a file. `./dev dist` builds pkg/ first and
// then runs this; the end-to-end tests run it on the built package and drive
// the result (tests/e2e/dist.test.mjs).
//
// Minifying is esbuild's transform, file by file: no bundling, so every file
// keeps its name and the service worker's list, the CSP (scripts from 'self')
// and the on-demand imports stay as they are. Comments and indentation are most
// of the source's bytes: a customer's phone downloads half as much before the
// first question (issue 19). Texts stay UTF-8 (esbuild would otherwise escape
// every Chinese character to six bytes). The questionnaires are copied byte for
// byte: a device keys its records by the questionnaire's exact text.
//   node scripts/dist.mjs [out-dir]   (default dist/)
import {
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { headersFile } from './headers.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Every file under `dir`, as paths. */
function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/**
 * Lays the site out in `out` (emptied first) and minifies its .js and .css;
 * returns the bytes before and after minifying.
 */
export async function buildDist(out = join(ROOT, 'dist')) {
  try {
    statSync(join(ROOT, 'pkg', 'manyi_bg.wasm'));
  } catch {
    throw new Error('pkg/ is not built: run ./dev build (or ./dev dist) first');
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(ROOT, 'www'), out, { recursive: true });
  cpSync(join(ROOT, 'pkg'), join(out, 'pkg'), { recursive: true });
  cpSync(join(ROOT, 'instruments'), join(out, 'instruments'), { recursive: true });
  let before = 0;
  let after = 0;
  for (const file of files(out)) {
    const ext = extname(file);
    if (ext !== '.js' && ext !== '.css') continue;
    const source = readFileSync(file, 'utf8');
    const { code } = await transform(source, {
      loader: ext === '.css' ? 'css' : 'js',
      minify: true,
      charset: 'utf8',
      legalComments: 'none',
      sourcefile: file,
    });
    writeFileSync(file, code);
    before += Buffer.byteLength(source);
    after += Buffer.byteLength(code);
  }
  writeFileSync(join(out, '_headers'), headersFile());
  return { out, before, after };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { out, before, after } = await buildDist(
    process.argv[2] ? resolve(process.argv[2]) : undefined,
  );
  console.log(`${out}: scripts and style sheets ${before} → ${after} bytes`);
}

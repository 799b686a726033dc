// Every text the pages show exists in both languages with the same details
// (issue 16: Chinese messages dropped details the English ones gave), and every
// problem the core can report has its Chinese sentence (English shows the core's). No browser needed:
// the text modules are plain ES modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

globalThis.localStorage ??= { getItem: () => null, setItem: () => {} };
const { has, t } = await import('../../www/i18n.js');
await import('../../www/texts.js');

/** Every key of both languages, read from the sources (the modules keep them private). */
function keys() {
  const all = new Set();
  for (const file of ['i18n.js', 'texts.js']) {
    const src = readFileSync(new URL(`../../www/${file}`, import.meta.url), 'utf8');
    for (const m of src.matchAll(/^\s{4}'?([A-Za-z][\w.-]*)'?:\s/gm)) all.add(m[1]);
  }
  return [...all];
}

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every text has both languages, with the same placeholders', () => {
  const missing = [];
  const differ = [];
  // problem.* are Chinese only by design: in English the page shows the core's own sentence (DESIGN.md "Page").
  for (const key of keys().filter((k) => !k.startsWith('problem.'))) {
    if (!has('zh-CN', key) || !has('en', key)) {
      missing.push(key);
      continue;
    }
    const [zh, en] = [t('zh-CN', key), t('en', key)];
    const raw = (lang) =>
      t(
        lang,
        key,
        Object.fromEntries(placeholders(lang === 'en' ? en : zh).map((p) => [p, `{${p}}`])),
      );
    if (JSON.stringify(placeholders(raw('zh-CN'))) !== JSON.stringify(placeholders(raw('en'))))
      differ.push(`${key}: ${raw('zh-CN')} | ${raw('en')}`);
  }
  assert.deepEqual(missing, [], 'texts in one language only');
  assert.deepEqual(differ, [], 'texts whose languages give different details');
});

test('every text is used by a page (issue 20: unused keys such as entry.idOk were left behind)', async () => {
  const { readdirSync } = await import('node:fs');
  const www = new URL('../../www/', import.meta.url);
  // A text table's entry: `'key': 'text'`, the text on the same line or, where
  // prettier wraps it, the next.
  const entry = /^ {4}'?[A-Za-z][\w.-]*'?:(?:[ \t].*|\n.*)$/gm;
  const tables = ['i18n.js', 'texts.js'];
  // Every page and module, with the text tables' entries left out.
  const code = readdirSync(www)
    .filter((f) => /\.(js|html)$/.test(f))
    .map((f) => {
      const text = readFileSync(new URL(f, www), 'utf8');
      return tables.includes(f) ? text.replace(entry, '') : text;
    })
    .join('\n');
  // Keys built at run time: `problem.${code}`, `inv.reason.${code}`, …
  const prefixes = [...code.matchAll(/`([a-zA-Z][\w.]*\.)\$\{/g)].map((m) => m[1]);
  assert.ok(prefixes.includes('problem.'), prefixes.join(' '));
  const quoted = (k) => new RegExp(`['"\`]${k.replaceAll('.', '\\.')}['"\`]`).test(code);
  const unused = keys().filter((k) => !quoted(k) && !prefixes.some((p) => k.startsWith(p)));
  assert.deepEqual(unused, []);
});

test('only status regions are live (issue 20: the whole dashboard was, so it was re-read on every filter change)', async () => {
  const { readdirSync } = await import('node:fs');
  const www = new URL('../../www/', import.meta.url);
  const wrong = [];
  for (const f of readdirSync(www).filter((f) => /\.(js|html)$/.test(f))) {
    const src = readFileSync(new URL(f, www), 'utf8');
    // Markup: a tag with aria-live; script: an h('tag', {…}) call with 'aria-live'.
    const tags = f.endsWith('.html')
      ? [...src.matchAll(/<(\w+)[^>]*aria-live[^>]*>/g)]
      : [...src.matchAll(/h\('(\w+)', \{[^}]*'aria-live'[^}]*\}/g)];
    for (const [tag, name] of tags)
      if (name !== 'output' && !/role(="|: ')(status|alert)/.test(tag)) wrong.push(`${f}: ${tag}`);
  }
  assert.deepEqual(wrong, []);
});

test("every problem the core reports has a Chinese sentence (English shows the core's own)", () => {
  const src = readFileSync(new URL('../../src/core/error.rs', import.meta.url), 'utf8');
  const body = src.slice(src.indexOf('pub enum ProblemCode'));
  const variants = [...body.slice(0, body.indexOf('\n}')).matchAll(/^\s{4}([A-Z]\w*),/gm)].map(
    (m) => m[1],
  );
  assert.ok(variants.length > 20, `${variants.length} problem codes read`);
  const snake = (v) => v.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase());
  // A refused code's reasons are the invitation page's (inv.reason.*).
  const without = variants
    .map(snake)
    .filter((code) => !has('zh-CN', `problem.${code}`) && !has('zh-CN', `inv.reason.${code}`));
  assert.deepEqual(without, [], 'problem codes without a sentence');
});

test("the code and tests cite documents that are in the repository (docs/), not the team's shared folder", async () => {
  const { spawnSync } = await import('node:child_process');
  const root = new URL('../../', import.meta.url).pathname;
  // (git grep exits 1 when nothing matches.)
  const r = spawnSync(
    'git',
    [
      'grep',
      '-l',
      '-e',
      'shared/spec',
      '-e',
      'shared/data',
      '--',
      ':!docs',
      ':!tests/e2e/texts.test.mjs',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 1, r.stdout + r.stderr);
});

test("the README's module table lists every module of the core (issue 20)", () => {
  const lib = readFileSync(new URL('../../src/core/lib.rs', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const modules = [...lib.matchAll(/^(?:pub )?mod (\w+);/gm)].map((m) => m[1]);
  assert.ok(modules.length > 20, modules.join(' '));
  assert.deepEqual(
    modules.filter((m) => !readme.includes(`| \`${m}\` |`)),
    [],
  );
});

test('every page has a description for search engines and link previews', async () => {
  const { readdirSync } = await import('node:fs');
  const www = new URL('../../www/', import.meta.url);
  for (const file of readdirSync(www).filter((f) => f.endsWith('.html'))) {
    const html = readFileSync(new URL(file, www), 'utf8');
    const d = html.match(/<meta name="description" content="([^"]+)">/)?.[1] ?? '';
    assert.ok(d.length >= 20, `${file} describes itself`);
  }
});

test('English counts agree with their number: "1 response", "2 responses" (issue 16)', () => {
  const wrong = [];
  for (const key of keys().filter((k) => has('en', k))) {
    const one = t('en', key, new Proxy({}, { get: () => 1 }));
    const m = one.match(
      /\b1 (?:valid |new |open )?(responses|invitations|detractors|questions|forms|rows|cases|entries|items|periods|days|codes|answers)\b/,
    );
    if (m) wrong.push(`${key}: ${one}`);
  }
  assert.deepEqual(wrong, [], 'English texts that say "1 …s"');
  assert.equal(t('en', 'report.n', { n: 1 }), '1 valid response');
  assert.equal(t('en', 'report.n', { n: 2 }), '2 valid responses');
  assert.equal(t('en', 'report.n', { n: 0 }), '0 valid responses');
});

// The benchmark, side by side, in one run (`./dev bench`; README "Benchmarks"):
// for 10,000, 100,000 and 1,000,000 generated responses it measures natively
// (benches/core.rs), in headless Chromium through the wasm module, and in the
// same page with an idiomatic JavaScript implementation over an array of
// response objects (bench/js-impl.mjs): CSV import, the full report, one
// cross-tab with its tests, all 16×16 cross-tabs, a filter change with the
// report recomputed; SurveyJS Dashboard (bench/surveyjs.mjs) on the same rows
// for NPS, the 16 frequency tables and one cross-tab; the wasm memory after
// importing the largest size in a fresh instance; each module's gzip size, the
// survey's first load and the service worker's cache (bench/download.mjs).
// It checks that wasm, JavaScript and SurveyJS agree before timing them, then
// writes bench/RESULTS.md with issue 19's targets met or missed, and prints it.
// Timings are reported, never asserted.
//   node bench/run.mjs [--sizes 10000,100000,1000000] [--no-native]   (after ./dev build)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, openStaff } from '../tests/e2e/browser.mjs';
import { measureStore } from './store.mjs';
import { measureSurvey, modules } from './download.mjs';
import { buildDist } from '../scripts/dist.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = process.argv.indexOf('--sizes');
const SIZES = (arg > 0 ? process.argv[arg + 1] : '10000,100000,1000000').split(',').map(Number);
const DATA = `${ROOT}target/bench-data`;
// The machine's load when the run starts (and, in RESULTS.md, when it ends): a busy machine explains a slow figure.
const loadStart = loadavg()[0];
const say = (s) => process.stderr.write(`bench: ${s}\n`);

// --- native -------------------------------------------------------------------
// (--no-native skips it: for trying the browser side alone.)
let native = {};
if (!process.argv.includes('--no-native')) {
  say('native (cargo bench --bench core)');
  const nativeOut = execFileSync('cargo', ['bench', '-q', '--bench', 'core', '--', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  native = Object.fromEntries(JSON.parse(nativeOut.trim().split('\n').pop()).map((r) => [r.n, r]));
}

// --- data ------------------------------------------------------------------------
mkdirSync(DATA, { recursive: true });
for (const n of SIZES) {
  const file = `${DATA}/${n}.csv`;
  if (!existsSync(file)) {
    say(`generating ${n} responses`);
    execFileSync(`${ROOT}target/release/manyi`, [
      'generate',
      '--n',
      String(n),
      '--seed',
      '1',
      '-o',
      file,
    ]);
  }
}

// --- the browser -------------------------------------------------------------------
/** An npm package's installed version. */
const pkgVersion = (name) =>
  JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')).version;
// node_modules/ for SurveyJS, loaded by the bench page only (bench/surveyjs.mjs).
const env = await launch({
  extra: [
    ['/bench-data/', DATA],
    ['/bench/', `${ROOT}bench`],
    ['/node_modules/', `${ROOT}node_modules`],
  ],
});
const browser = [];
let memory = null;
try {
  const page = await (await env.newContext()).newPage();
  // SurveyJS's visualizers set inline styles, which the pages' CSP refuses (and says so, once per element): not our figures.
  page.on(
    'console',
    (m) => /Content Security Policy|Password/.test(m.text()) || say(`page: ${m.text()}`),
  );
  // The main page in its ordinary, unlocked state (the staff passphrase set on this fresh profile).
  await openStaff(page, env.url);
  for (const n of SIZES) {
    say(`browser: ${n} responses`);
    const r = await page.evaluate(async (count) => {
      const js = await import('/bench/js-impl.mjs');
      const m = await import('/pkg/manyi.js');
      await m.default();
      const bytes = new Uint8Array(await (await fetch(`/bench-data/${count}.csv`)).arrayBuffer());
      const empty = m.Dataset.empty(undefined);
      const instrument = empty.instrument();
      empty.free();
      const singles = instrument.questions.filter((q) => q.kind === 'single').map((q) => q.id);
      const runs = count >= 1000000 ? 3 : 7;
      const FILTERS = [{ q1: ['A'] }, { q2: ['B'] }, { q14: ['A', 'C'] }];
      const median = (f) => {
        const times = [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          f();
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        return times[times.length >> 1];
      };
      // Import.
      let ds = null;
      const wasmImport = median(() => {
        ds?.free();
        ds = m.Dataset.fromCsv(bytes);
      });
      let rows = null;
      const jsImport = median(() => {
        rows = js.parseCsv(new TextDecoder().decode(bytes));
      });
      // The two implementations agree before they are timed.
      const wr = ds.report();
      const jr = js.report(rows, instrument);
      const wx = ds.crosstab('q2', 'q14');
      const jx = js.crosstab(rows, instrument, 'q2', 'q14');
      const agree =
        wr.n === jr.n &&
        Math.abs(wr.nps.nps - jr.nps.nps) < 1e-9 &&
        Math.abs(wr.scale.reliability.alpha - jr.scale.alpha) < 1e-9 &&
        Math.abs(wx.chi2 - jx.chi2) < 1e-6 * wx.chi2 &&
        JSON.stringify(wx.counts) === JSON.stringify(jx.counts) &&
        JSON.stringify(wx.letters) === JSON.stringify(jx.letters) &&
        Math.abs(ds.associations(['q2', 'q14'])[1].chi2 - jx.chi2) < 1e-6 * jx.chi2 &&
        JSON.stringify(ds.crosstabs(['q14', 'q2'], ['q2', 'q14'])[3]) === JSON.stringify(wx);
      const result = {
        n: count,
        bytes: bytes.length,
        agree,
        wasm: {
          import: wasmImport,
          report: median(() => ds.report()),
          nps: median(() => ds.nps()),
          frequencies: median(() => ds.frequencies()),
          crosstab: median(() => ds.crosstab('q2', 'q14')),
          all: median(() => {
            for (const a of singles) for (const b of singles) ds.crosstab(a, b);
          }),
          banner: median(() => ds.crosstabs(singles, singles)),
          matrix: median(() => ds.associations(singles)),
          // A filter change: one answer filter, the report of the rows it keeps (the dashboard's
          // path: Dataset.filtered, then report). The slowest of three filters counts.
          filters: FILTERS.map((answers) => ({
            answers,
            ms: median(() => {
              const v = ds.filtered({ answers });
              v.report();
              v.free();
            }),
          })),
        },
        js: {
          import: jsImport,
          report: median(() => js.report(rows, instrument)),
          crosstab: median(() => js.crosstab(rows, instrument, 'q2', 'q14')),
          all: median(() => {
            for (const a of singles) for (const b of singles) js.crosstab(rows, instrument, a, b);
          }),
        },
      };
      ds.free();
      return result;
    }, n);
    browser.push(r);
  }
  // SurveyJS Dashboard on the same rows, in the same page: apart, so that a
  // size it cannot manage (out of memory) leaves the figures above standing.
  for (const b of browser) {
    say(`browser: SurveyJS Dashboard, ${b.n} responses`);
    const t = performance.now();
    try {
      b.surveyjs = await page.evaluate(async (count) => {
        const js = await import('/bench/js-impl.mjs');
        const sj = await import('/bench/surveyjs.mjs');
        const m = await import('/pkg/manyi.js');
        await m.default();
        await sj.load();
        const bytes = new Uint8Array(await (await fetch(`/bench-data/${count}.csv`)).arrayBuffer());
        const empty = m.Dataset.empty(undefined);
        const instrument = empty.instrument();
        empty.free();
        const singles = instrument.questions.filter((q) => q.kind === 'single').map((q) => q.id);
        const npsId = instrument.questions.find((q) => q.kind !== 'single').id;
        const survey = sj.model(instrument);
        let t0 = performance.now();
        const data = sj.rowsFrom(js.parseCsv(new TextDecoder().decode(bytes)), instrument);
        const prepare = performance.now() - t0;
        const runs = count >= 1000000 ? 3 : 7;
        // One untimed run first: the JavaScript engine compiles SurveyJS's hot loops on it.
        const median = async (f) => {
          await f();
          const times = [];
          for (let i = 0; i < runs; i++) {
            const t = performance.now();
            await f();
            times.push(performance.now() - t);
          }
          times.sort((a, b) => a - b);
          return times[times.length >> 1];
        };
        // SurveyJS agrees with the core before it is timed: the same counts.
        const ds = m.Dataset.fromCsv(bytes);
        const wr = ds.report();
        const wx = ds.crosstab('q2', 'q14');
        ds.free();
        const vs = sj.visualizers(survey, data, { npsId, singles, row: 'q2', col: 'q14' });
        const sn = await sj.npsOf(vs);
        const sf = await sj.frequenciesOf(vs);
        const sx = await sj.crosstabOf(vs);
        const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
        const agree =
          sn.promoters === wr.nps.promoters &&
          sn.detractors === wr.nps.detractors &&
          sn.passive === wr.nps.passives &&
          singles.every((id) => same(sf[id], Object.values(wr.frequencies.questions[id].counts))) &&
          same(sx, wx.counts);
        const nps = await median(() => sj.npsOf(vs));
        const frequencies = await median(() => sj.frequenciesOf(vs));
        const both = await median(async () => {
          await sj.npsOf(vs);
          await sj.frequenciesOf(vs);
        });
        const crosstab = await median(() => sj.crosstabOf(vs));
        vs.destroy();
        return { agree, prepare, nps, frequencies, report: both, crosstab };
      }, b.n);
    } catch (e) {
      b.surveyjs = { error: String(e?.message ?? e).split('\n')[0], after: performance.now() - t };
    }
  }
  // The wasm memory after importing the largest size, in a fresh instance of
  // the module (a URL of its own: a new module, a new memory) in the same page.
  const largest = Math.max(...SIZES);
  say(`browser: wasm memory after importing ${largest} responses (a fresh instance)`);
  memory = await page.evaluate(async (count) => {
    const m = await import('/pkg/manyi.js?memory');
    const wasm = await m.default();
    const before = wasm.memory.buffer.byteLength / 1048576;
    const bytes = new Uint8Array(await (await fetch(`/bench-data/${count}.csv`)).arrayBuffer());
    const ds = m.Dataset.fromCsv(bytes);
    const after = wasm.memory.buffer.byteLength / 1048576;
    const n = ds.length;
    ds.free();
    return { n, before, after, csvMb: bytes.length / 1e6 };
  }, largest);
} finally {
  await env.close();
}

// --- the device store (bench/store.mjs): a fresh profile per size -----------------------
const stores = [];
for (const n of SIZES.filter((k) => k >= 100000)) {
  say(`device store: ${n} responses`);
  stores.push(await measureStore(n));
}

// --- what a phone downloads (bench/download.mjs) -------------------------------------------
say("download: modules under pkg/, the survey's first load and the service worker's cache");
const mods = modules();
// The site as deployed (`./dev dist`: minified) is what a phone downloads; the source tree is shown beside it.
const siteDir = mkdtempSync(join(tmpdir(), 'manyi-dist-'));
await buildDist(siteDir);
const survey = await measureSurvey(siteDir);
const surveySource = await measureSurvey();
rmSync(siteDir, { recursive: true, force: true });

// --- the table -------------------------------------------------------------------------
const f = (x, d = 1) => (x == null ? '—' : x.toFixed(d));
// performance.now() ticks in 0.1 ms steps in a page that is not cross-origin isolated: a 0 is "under 0.1 ms".
const ratio = (a, b) => (a && b ? `${f(b / a, 1)}×` : a === 0 && b ? `> ${f(b / 0.1, 0)}×` : '—');
const chromium = execFileSync('/usr/bin/chromium', ['--version'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
}).trim();
const lines = [];
lines.push('# manyi benchmark results', '');
lines.push(
  `Written by \`./dev bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${chromium}, node ${process.version}.`,
);
const git = (args) =>
  execFileSync('git', args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
let revision = 'not a git checkout';
try {
  revision = `commit ${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--untracked-files=no']) ? ' with uncommitted changes' : ''}`;
} catch {
  /* a copy without .git */
}
lines.push(
  `Code: ${revision}. Load average (1 min) ${f(loadStart, 1)} at the start, ${f(loadavg()[0], 1)} at the end, on ${cpus().length} cores.`,
);
lines.push(
  'Data: `manyi generate --n N --seed 1` (17 questions, mode and date columns). Times are medians in milliseconds;',
);
lines.push(
  '"wasm faster than JS" is JS time ÷ wasm time; "wasm : native" is wasm time ÷ native time.',
);
lines.push(
  'The JavaScript side has no matrix or many-tables call: its figure on those rows is its 256 cross-tabs.',
  '',
);
lines.push(
  '| N | step | native ms | wasm ms | JS ms | wasm faster than JS | wasm : native | wasm ms per 1M |',
);
lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const b of browser) {
  const nat = native[b.n] ?? {};
  const steps = [
    ['CSV import', nat.import_ms, b.wasm.import, b.js.import],
    ['full report', nat.report_ms, b.wasm.report, b.js.report],
    ['one cross-tab (Q2 × Q14) with tests', nat.crosstab_ms, b.wasm.crosstab, b.js.crosstab],
    [
      'all 16 × 16 cross-tabs, one full cross-tab call each',
      nat.all_crosstabs_ms,
      b.wasm.all,
      b.js.all,
    ],
    [
      'all 16 × 16 cross-tabs, the 256 full cross-tabs in one call (`crosstabs`)',
      nat.banner_ms,
      b.wasm.banner,
      b.js.all,
    ],
    [
      'all 16 × 16 cross-tabs as the association matrix (χ², p, V of every pair in one call)',
      nat.matrix_ms,
      b.wasm.matrix,
      b.js.all,
    ],
  ];
  for (const [name, nt, w, j] of steps) {
    lines.push(
      `| ${b.n.toLocaleString('en')} | ${name} | ${f(nt, 2)} | ${f(w, 2)} | ${f(j, 2)} | ${ratio(w, j)} | ${nt ? f(w / nt, 2) : '—'} | ${f((w * 1e6) / b.n, 1)} |`,
    );
  }
  const mbs = (ms) => f(b.bytes / 1e6 / (ms / 1000), 0);
  lines.push(
    `| ${b.n.toLocaleString('en')} | CSV import speed (MB/s of ${f(b.bytes / 1e6, 1)} MB) | ${nat.import_ms ? mbs(nat.import_ms) : '—'} | ${mbs(b.wasm.import)} | ${mbs(b.js.import)} | | | |`,
  );
  if (!b.agree)
    lines.push(`| ${b.n} | **wasm and JavaScript disagree: the comparison is void** | | | | | | |`);
}
lines.push('', '### The device store', '');
lines.push(
  "Native: the store's chunk of N responses written and read back (`benches/core.rs`), and the import of a file whose ids were",
);
lines.push(
  "crafted to share one bucket of an unkeyed hash (std's SipHash with fixed keys). In headless Chromium (bench/store.mjs, a",
);
lines.push(
  'fresh profile per size): the CSV imported through the page and saved to the device; the dashboard opened on the stored data',
);
lines.push(
  '(from navigation to the NPS headline) and on the same data picked as a file; one survey response saved into the full store;',
);
lines.push(
  "and the growth of the renderer processes' resident memory (page and worker) from a blank page of the same profile to the open dashboard.",
  '',
);
lines.push('| N | step | ms |', '|---|---|---:|');
for (const [n, nat] of Object.entries(native)) {
  lines.push(
    `| ${Number(n).toLocaleString('en')} | chunk write (native) | ${f(nat.chunk_encode_ms, 2)} |`,
  );
  lines.push(
    `| ${Number(n).toLocaleString('en')} | chunk read and check (native) | ${f(nat.chunk_decode_ms, 2)} |`,
  );
  if (nat.crafted_import_ms != null) {
    lines.push(
      `| ${Number(n).toLocaleString('en')} | CSV import, crafted colliding ids (native; ordinary ids: ${f(nat.import_ms, 2)}) | ${f(nat.crafted_import_ms, 2)} |`,
    );
  }
}
for (const st of stores) {
  const k = st.n.toLocaleString('en');
  lines.push(`| ${k} | import in the page: preview (read + merge plan) | ${f(st.previewMs, 0)} |`);
  lines.push(`| ${k} | import in the page: save to the device | ${f(st.saveMs, 0)} |`);
  lines.push(
    `| ${k} | dashboard on the stored data, navigation to NPS | ${f(st.storeOpenMs, 0)} |`,
  );
  lines.push(`| ${k} | dashboard on the same data picked as a file | ${f(st.fileOpenMs, 0)} |`);
  lines.push(`| ${k} | one survey response saved into the full store | ${f(st.saveOneMs, 1)} |`);
  lines.push(
    `| ${k} | renderer memory growth, MB (CSV ${f(st.csvMb, 1)} MB) | ${f(st.memoryMb, 0)} |`,
  );
  lines.push(
    `| ${k} | the importing page's worker's wasm memory after the import, MB | ${f(st.importWasmMb, 0)} |`,
  );
  lines.push(`| ${k} | the dashboard worker's wasm memory, MB | ${f(st.wasmMb, 0)} |`);
}
// --- SurveyJS Dashboard -----------------------------------------------------------------------
lines.push('', '### SurveyJS Dashboard on the same rows', '');
lines.push(
  'SurveyJS Dashboard (npm survey-analytics and survey-core ' +
    `${pkgVersion('survey-analytics')}, bench-only dev dependencies; bench/surveyjs.mjs), in the same page and run:`,
);
lines.push(
  "the figures its visualizers compute (`getCalculatedValues()`, each run after dropping the visualizer's cache of them), never its",
);
lines.push(
  'plotly charts. NpsVisualizer for Q17 (promoters, passives, detractors: no score interval); SelectBase per single-choice',
);
lines.push(
  "question (counts: no percentages' intervals); PivotModel, its only two-question visualizer, for Q2 × Q14 (counts only:",
);
lines.push(
  "no χ², residuals or column tests — SurveyJS has no cross-tab with tests). Its data is survey-core's: one object per",
);
lines.push(
  "response. Its counts are checked equal to the core's before timing. The wasm figures do more (intervals, α, tests).",
  '',
);
lines.push(
  '| N | step | wasm ms | SurveyJS ms | wasm faster than SurveyJS |',
  '|---|---|---:|---:|---:|',
);
for (const b of browser) {
  const k = b.n.toLocaleString('en');
  const sj = b.surveyjs ?? {};
  if (sj.error) {
    lines.push(
      `| ${k} | **SurveyJS failed after ${f(sj.after / 1000, 0)} s: ${sj.error.replaceAll('|', '/')}** | | | |`,
    );
    continue;
  }
  lines.push(
    `| ${k} | NPS (wasm: \`nps()\` with its intervals) | ${f(b.wasm.nps, 2)} | ${f(sj.nps, 2)} | ${ratio(b.wasm.nps, sj.nps)} |`,
  );
  lines.push(
    `| ${k} | the 16 frequency tables (wasm: \`frequencies()\`, all 17 with intervals) | ${f(b.wasm.frequencies, 2)} | ${f(sj.frequencies, 2)} | ${ratio(b.wasm.frequencies, sj.frequencies)} |`,
  );
  lines.push(
    `| ${k} | NPS and the 16 tables (wasm: the full report, with the scale and α) | ${f(b.wasm.report, 2)} | ${f(sj.report, 2)} | ${ratio(b.wasm.report, sj.report)} |`,
  );
  lines.push(
    `| ${k} | one cross-tab, Q2 × Q14 (wasm: with its tests) | ${f(b.wasm.crosstab, 2)} | ${f(sj.crosstab, 2)} | ${ratio(b.wasm.crosstab, sj.crosstab)} |`,
  );
  lines.push(
    `| ${k} | (SurveyJS's data built from the CSV: not timed above) | | ${f(sj.prepare, 0)} | |`,
  );
  if (!sj.agree)
    lines.push(`| ${k} | **SurveyJS and the core disagree: the comparison is void** | | | |`);
}

// --- filter change, memory, download -----------------------------------------------------------
lines.push('', '### A filter change', '');
lines.push(
  'In the bench page: `Dataset.filtered({answers})` then `report()` on the rows kept (median); in the dashboard on 1,000,000',
);
lines.push(
  "stored responses (bench/store.mjs): the worker's whole view for Q1 = A (report, cross-tab, NPS by Q1, follow-up list), its",
);
lines.push(
  "time and the page's round trip (median of 5); and the follow-up cases section the page asks for once the view is drawn (cases.js), its round trip.",
  '',
);
lines.push('| N | filter | ms |', '|---|---|---:|');
for (const b of browser) {
  for (const x of b.wasm.filters) {
    const name = Object.entries(x.answers)
      .map(([q, c]) => `${q.toUpperCase()} = ${c.join(' or ')}`)
      .join(', ');
    lines.push(`| ${b.n.toLocaleString('en')} | ${name}, filtered + report | ${f(x.ms, 2)} |`);
  }
}
for (const st of stores) {
  lines.push(
    `| ${st.n.toLocaleString('en')} | Q1 = A, the dashboard's whole view, worker | ${f(st.filterWorkerMs, 1)} |`,
  );
  lines.push(
    `| ${st.n.toLocaleString('en')} | Q1 = A, the dashboard's whole view, round trip from the page | ${f(st.filterTripMs, 1)} |`,
  );
  if (st.filterCasesMs != null)
    lines.push(
      `| ${st.n.toLocaleString('en')} | Q1 = A, the follow-up cases section (asked for after the view is drawn), round trip | ${f(st.filterCasesMs, 1)} |`,
    );
}
lines.push('', '### Memory', '');
if (memory) {
  lines.push(
    `In MB of 2^20 bytes (wasm pages are 64 KiB). A fresh instance of the module (its memory ${f(memory.before, 1)} MB after start), then \`Dataset.fromCsv\` of ${memory.n.toLocaleString('en')} responses`,
  );
  lines.push(
    `(a ${f(memory.csvMb, 1)} MB file, handed over whole): **${f(memory.after, 1)} MB** of wasm memory. wasm memory never shrinks, so this is`,
  );
  lines.push(
    "the high-water mark of the import, file bytes included. The dashboard worker's, on the stored data, is in the device store's table.",
  );
}
lines.push('', '### What a phone downloads', '');
/** What each folder of pkg/ is for. */
const ROLE = {
  '': "(analysis: the staff worker's module)",
  page: "pages' module (survey, invite, entry)",
  camera: 'camera add-on',
  export: 'file formats add-on',
};
lines.push(
  "Every module under pkg/ (listed at run time), raw and gzip -9. One boundary crate built four ways (src/wasm's features): the staff worker's module (pkg/: data sets and their analysis, the device store, imports), the pages' module (pkg/page/: a customer's phone loads only this one), and the add-ons loaded on demand.",
  '',
);
lines.push('| module | add-on | bytes | gzip -9 |', '|---|---|---:|---:|');
for (const m of mods)
  lines.push(
    `| ${m.path} | ${ROLE[m.addon] ?? m.addon} | ${m.raw.toLocaleString('en')} | ${m.gzip.toLocaleString('en')} |`,
  );
const addons = [...new Set(mods.map((m) => m.addon))];
for (const a of addons) {
  const g = mods.filter((m) => m.addon === a).reduce((t, m) => t + m.gzip, 0);
  lines.push(
    `| **${a ? `pkg/${a}/` : 'pkg/ (analysis: the worker)'} in all** | | | ${g.toLocaleString('en')} |`,
  );
}
lines.push('');
lines.push(
  `The survey on a fresh phone profile, before its first question, from the site as deployed (\`./dev dist\`, scripts and style sheets minified): ${survey.first.files} files, ${survey.first.bytes.toLocaleString('en')} bytes as sent (this server does not compress),`,
);
lines.push(
  `${survey.first.gzip.toLocaleString('en')} bytes gzip -9: ${survey.first.list.map((r) => `${r.name} ${r.bytes.toLocaleString('en')}`).join(', ')}.`,
);
lines.push(
  `From the source tree (\`./dev serve\`, with comments): ${surveySource.first.bytes.toLocaleString('en')} bytes, ${surveySource.first.gzip.toLocaleString('en')} gzip -9.`,
);
if (survey.cache) {
  lines.push('');
  lines.push(
    `The service worker's cache after that visit: ${survey.cache.names.map((n) => `\`${n}\``).join(', ')}; ${survey.cache.files} files, ${survey.cache.raw.toLocaleString('en')} bytes`,
  );
  lines.push(
    `(${survey.cache.gzip.toLocaleString('en')} gzip -9); modules: ${survey.cache.modules.join(', ') || 'none'}.`,
  );
}
lines.push('');

// --- issue 19's targets -----------------------------------------------------------------------
const big = browser.find((b) => b.n === 1000000);
const st = stores.find((x) => x.n === 1000000);
const st100 = stores.find((x) => x.n === 100000);
// A miss's reason is measured where the measurement shows it; otherwise the engineer of that part says it.
// Why a target is missed and what would close it: what the work on each part (issue 19) found by
// measuring, kept here so that a run from a fresh clone writes RESULTS.md with its reasons.
const WHY = {
  report:
    "Each column is counted once per report (src/core/count.rs, 16 lanes per compare with wasm SIMD), and α's answer patterns are packed into one byte per row, 16 rows at a time, then counted by histogram (~22 → ~5 ms in Chromium at 1M). " +
    "A miss here comes from the machine's load during the run (the figure varies by ±3 ms between runs): run `./dev bench` again on a quiet machine.",
  matrix:
    "Per-option bitmaps in u64 words (each 16 codes loaded once per question), joint counts by AND + `i64.popcnt` (one x86 instruction), and only the χ² test per pair (it ran Fisher's exact test and the column letters it did not show): 184 → ~45 ms. " +
    "The counting itself is 2,538 option pairs × 15,625 words at about 1 ns each (~40 ms), so a run on a loaded machine can pass 50 ms. What would close the gap for good: fewer word operations (a question's last option derived from its margin where a block has no missing answers).",
  all:
    "One `crosstabs` call counts every pair once from the association matrix's per-option bitmaps, builds the 256 objects (counts, three percentage grids with Wilson intervals, residuals, letters, tests) and hands them over (about half the time is that conversion). Fisher's exact test of the 2×2 tables finds the far tails by bisection: it walked every term from the mode to the observed table, ~45 ms of the 256 at 1M (160 → ~75 ms in node). " +
    "256 separate `crosstab` calls (the row above) still make a pass each. A miss here comes from the machine's load during the run.",
  filter:
    "A filter is a keep column (0 kept, 255 dropped) OR-ed into the codes as they are counted (src/core/view.rs): nothing is copied (31.5 → ~8 ms). A miss here comes from the machine's load during the run.",
  view:
    "The worker's whole view at 1M (Q1 = A), measured apart in node: the keep column ~1 ms, the report ~5, the cross-tab ~1, NPS by Q1 ~1.5, the follow-up list ~3 (rules a column at a time, combined eight rows per word; 6.5 before), the rows it lists ~0.5 (3.6 when every kept row was listed to pick 200), the trend ~4 (a slot × code table; 7.6 before): ~17 ms in all, 28 before. " +
    "In the page the objects then cross from the worker (structured clone). What would close what is left: the report's counts and the follow-up rules in one pass over the columns, and fewer, flatter objects across the boundary.",
  import:
    'Ids in one buffer, one-byte answers looked up in a table in the record loop, files read in 4 MB pieces (68 → 153 MB/s in node). The time goes on per-cell work and its branches. ' +
    'Next: a SIMD pass marking every comma, line end and quote in 16-byte blocks, column-major handling of the single-choice columns.',
  module:
    "The pages' functions (questionnaire checks, hand-off codes, QR encoding, form ids) left it for the pages' module pkg/page/, the only one a customer's phone loads (342.6 → 313.7 KB at the split; the phone's wasm 342.6 → ~112 KB); the camera and file formats add-ons now hold only their own functions (428 → 96 KB, 519 → 277 KB). " +
    "What is left is the analysis beside the device store, imports, merges, backups and cases: a build of the data set's analysis alone (no store, merge or backup; measured as a separate build) is 186 KB gzip, of which the instrument's JSON parsing and validation (serde_json's deserialisers ~38 KB raw, the rules ~26 KB raw) is needed to read any questionnaire. " +
    'What would close it: the analysis module as its own build taking the columns as bytes from the device module, and the questionnaire handed to it already checked, in a compact form rather than JSON.',
  firstLoad:
    "Measured on the site as deployed (`./dev dist`: esbuild minifies scripts and style sheets, file by file). Met since the survey's own store module (db.js: 13 of storage.js's 22 KB) and seal.js loaded only when something is sealed (never on a customer's own phone). " +
    'The source tree as `./dev serve` sends it, with its comments, is ~78 KB.',
  cache:
    "The service worker precaches only what every screen needs, in a cache named after the build (pkg/build.js); the staff worker's module is cached when a staff screen or a kiosk survey asks, never on a customer's phone.",
  memory:
    "The page imports through the device store (preview, merge plan, save). The file is read in pieces, a contact is boxed (4 bytes a row without one, not 36), the file's rows move into the device instead of being copied, a set's origins are kept only for its few log rows, chunks are written one at a time from the set's rows in place, and interned columns' indices are as wide as their distinct values need (in node: 292 → 85 MB). " +
    "What is left beyond reading the file (54 MB): the plan's list of new rows, one chunk being written, the growth slack of the columns as they are read. What would close it: columns sized from the file's length as it is read, and a plan for an empty set that lists no rows.",
};
const targets = [];
const target = (name, value, goal, unit, better, why = '') => {
  if (value == null || Number.isNaN(value)) {
    targets.push(
      `| ${name} | ${better === 'below' ? '≤' : '≥'} ${goal} ${unit} | not measured | — |`,
    );
    return;
  }
  const met = better === 'below' ? value <= goal : value >= goal;
  const by = better === 'below' ? value / goal : goal / value;
  targets.push(
    `| ${name} | ${better === 'below' ? '≤' : '≥'} ${goal} ${unit} | ${f(value, 1)} ${unit} | ${met ? 'met' : `**missed** (${f(by, 1)}× off). ${why}`} |`,
  );
};
const flag = (name, ok, measured, why = '') =>
  targets.push(`| ${name} | yes | ${measured} | ${ok ? 'met' : `**missed**. ${why}`} |`);
if (big) {
  const worstFilter = Math.max(...big.wasm.filters.map((x) => x.ms));
  target(
    'full report (frequencies with intervals, NPS with intervals, the scale with α), wasm',
    big.wasm.report,
    10,
    'ms',
    'below',
    WHY.report,
  );
  target(
    'all 16×16 associations (χ², p, V of every pair), wasm',
    big.wasm.matrix,
    50,
    'ms',
    'below',
    WHY.matrix,
  );
  target(
    'all 256 full cross-tab objects (one `crosstabs` call), wasm',
    big.wasm.banner,
    150,
    'ms',
    'below',
    WHY.all,
  );
  target(
    'a filter change (slowest of Q1 = A, Q2 = B, Q14 = A or C) with the report recomputed, wasm',
    worstFilter,
    20,
    'ms',
    'below',
    WHY.filter,
  );
  if (st)
    target(
      "  the same on the open dashboard: the worker's whole view for Q1 = A",
      st.filterWorkerMs,
      20,
      'ms',
      'below',
      WHY.view,
    );
  target(
    'CSV import, wasm',
    big.bytes / 1e6 / (big.wasm.import / 1000),
    250,
    'MB/s',
    'above',
    WHY.import,
  );
  const nat = native[big.n];
  if (nat?.import_ms)
    target(
      'CSV import, native',
      big.bytes / 1e6 / (nat.import_ms / 1000),
      400,
      'MB/s',
      'above',
      WHY.import,
    );
}
const analysis = mods.find((m) => m.path === 'pkg/manyi_bg.wasm');
if (analysis)
  target(
    'the analysis module (pkg/manyi_bg.wasm), gzip',
    analysis.gzip / 1000,
    150,
    'KB',
    'below',
    WHY.module,
  );
target(
  "the survey's first load, as deployed (as sent, uncompressed)",
  survey.first.bytes / 1000,
  60,
  'KB',
  'below',
  WHY.firstLoad,
);
if (survey.cache) {
  const unused = survey.cache.modules.filter(
    (p) => /\/(camera|export)\//.test(p) || /^\/pkg\/manyi/.test(p),
  );
  flag(
    "the service worker precaches no module the survey never uses (camera, export, the staff worker's)",
    unused.length === 0,
    unused.length ? `cached: ${unused.join(', ')}` : 'none cached',
    WHY.cache,
  );
  const versioned = survey.cache.names.length > 0 && survey.cache.names.every((n) => /\d/.test(n));
  flag(
    "the service worker's cache is versioned (a version in its name)",
    versioned,
    survey.cache.names.map((n) => `\`${n}\``).join(', '),
    WHY.cache,
  );
}
if (memory?.n >= 1000000)
  target(
    `wasm memory after importing ${memory.n.toLocaleString('en')} responses`,
    memory.after,
    64,
    'MB',
    'below',
    `The module's memory holds the ${f(memory.csvMb, 1)} MB file handed over whole at the import's high-water mark, before the data set itself. ${WHY.memory}`,
  );
if (st)
  target(
    "  the same in the page's worker after importing the CSV through the page (preview + save)",
    st.importWasmMb,
    64,
    'MB',
    'below',
    WHY.memory,
  );
lines.push('## Targets (issue 19)', '');
lines.push(
  'At 1,000,000 responses (`manyi generate --n 1000000 --seed 1`) in headless Chromium, computed from the figures above.',
  '',
);
lines.push('| target | goal | measured | |', '|---|---:|---:|---|', ...targets, '');
if (big) {
  // For the reader: how far each figure is from what the memory streams.
  lines.push(
    `For scale: the 17 one-byte code columns of 1,000,000 responses are 17 MB; the full report took ${f(big.wasm.report, 1)} ms, i.e. ${f(17 / big.wasm.report, 1)} GB/s of codes.`,
    '',
  );
}

// --- earlier targets (issues 9 and 13) ---------------------------------------------------------
if (big) {
  const old = [];
  const target2 = (name, value, goal, unit, better = 'below') => {
    const met = better === 'below' ? value <= goal : value >= goal;
    const by = better === 'below' ? value / goal : goal / value;
    old.push(
      `| ${name} | ${goal} ${unit} | ${f(value, 1)} ${unit} | ${met ? 'met' : `missed (${f(by, 1)}× off)`} |`,
    );
  };
  target2('one cross-tab with its tests in wasm', big.wasm.crosstab, 5, 'ms');
  target2('report: wasm faster than JS', big.js.report / big.wasm.report, 20, '×', 'above');
  if (st) {
    target2('device store: import a CSV and save it', (st.previewMs + st.saveMs) / 1000, 5, 's');
    target2('device store: dashboard from navigation to NPS', st.storeOpenMs / 1000, 1, 's');
    target2(
      'device store: dashboard from the store ÷ from the file',
      st.storeOpenMs / st.fileOpenMs,
      3,
      '×',
    );
    target2('device store: saving one survey response', st.saveOneMs, 50, 'ms');
    target2('device store: page memory ÷ CSV size', st.memoryMb / st.csvMb, 3, '×');
  }
  if (st100)
    target2(
      'device store at 100,000: dashboard from navigation to NPS',
      st100.storeOpenMs,
      200,
      'ms',
    );
  lines.push(
    '## Earlier targets (issues 9 and 13) still measured',
    '',
    '| target | goal | measured | |',
    '|---|---:|---:|---|',
    ...old,
    '',
  );
  const why = [];
  if (st && st.storeOpenMs > 1000) {
    why.push(
      `- **Dashboard on a million stored responses** (${f(st.storeOpenMs, 0)} ms from navigation; ${f(st.fileOpenMs, 0)} ms from the file ` +
        "once the page is up): starting the worker and compiling the wasm, reading the chunks from IndexedDB, the core's load and " +
        'the first view (DESIGN.md, "The device store").',
    );
  }
  if (st && st.memoryMb / st.csvMb > 3) {
    why.push(
      `- **Page memory** (renderer +${f(st.memoryMb, 0)} MB for a ${f(st.csvMb, 1)} MB CSV; the worker's wasm memory ${f(st.wasmMb, 0)} MB): ` +
        'the wasm memory keeps the high-water mark of the chunk bytes handed to it, and the renderer holds the chunk ArrayBuffers ' +
        'read from IndexedDB until they are collected.',
    );
  }
  if (st100 && st100.storeOpenMs > 200) {
    why.push(
      `- **Dashboard on 100,000 stored responses** (${f(st100.storeOpenMs, 0)} ms): the fixed costs dominate — navigation and the ` +
        "page's modules, starting the worker and compiling the wasm in a fresh profile — before reading and loading the data.",
    );
  }
  if (why.length) lines.push('### Why an earlier target is missed', '', ...why, '');
}
const text = `${lines.join('\n')}\n`;
writeFileSync(`${ROOT}bench/RESULTS.md`, text);
process.stdout.write(text);

// Browser benchmark of the device store (issue 13): for N generated responses,
// import the CSV file through the page and save it to the device; open the
// dashboard on the stored data (navigation to the NPS headline) and on the
// same data picked as a file; save one survey response into the full store;
// and the renderer processes' memory (the dashboard's, from a blank page).
// `./dev bench` runs it for 100,000 and 1,000,000 (bench/run.mjs); alone:
//   node bench/store.mjs [N=1000000]   (after ./dev build; data from `manyi generate`)
// Timings are reported, never asserted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, openStaff } from '../tests/e2e/browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The resident memory of Chromium's renderer processes, in MB (the page and its worker live there). */
function rendererMb() {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
      kb += m ? Number(m[1]) : 0;
    } catch {
      /* the process ended meanwhile */
    }
  }
  return kb / 1024;
}

/** The generated data file for `n` responses (made once with the release CLI). */
export function dataFile(n) {
  const dir = `${ROOT}target/bench-data`;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${n}.csv`;
  if (!existsSync(file))
    execFileSync(`${ROOT}target/release/manyi`, [
      'generate',
      '--n',
      String(n),
      '--seed',
      '1',
      '-o',
      file,
    ]);
  return file;
}

/** Measures the store at `n` responses in a fresh browser profile; returns the figures (ms, MB). */
export async function measureStore(n) {
  const file = dataFile(n);
  const csvMb = statSync(file).size / 1e6;
  const env = await launch();
  try {
    const context = await env.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await openStaff(page, env.url);
    await page.locator('html[data-ready="true"]').waitFor();
    await page.waitForFunction(
      () => document.querySelector('#store-status').dataset.total !== undefined,
    );
    let t = performance.now();
    await page.locator('#import-file').setInputFiles(file);
    await page.locator('#preview:not([hidden])').waitFor({ timeout: 600000 });
    const previewMs = performance.now() - t;
    t = performance.now();
    await page.locator('#commit').click();
    await page.waitForFunction(
      (k) => document.querySelector('#store-status').dataset.total === String(k),
      n,
      { timeout: 900000 },
    );
    const saveMs = performance.now() - t;
    // The main page's worker, which read the file and saved it: its wasm memory after the import.
    const importWasmMb = await page.evaluate(async () =>
      (await import('./worker-bridge.js')).ask('bench.memory'),
    );
    await page.close();

    // The dashboard, from navigation to the NPS headline, on the stored data:
    // the page's own clock (time since navigation start) when the headline is there.
    // Memory is the dashboard's own: measured from a blank page of the same profile.
    const board = await context.newPage();
    // A new tab asks for the staff passphrase: entered first, on the main page,
    // so that the timed navigation below finds this tab's session unlocked.
    await openStaff(board, env.url);
    await board.goto(`${env.url}paper-form.html`);
    await new Promise((ok) => setTimeout(ok, 1000));
    const baseMb = rendererMb();
    await board.goto(`${env.url}dashboard.html`, { waitUntil: 'commit' });
    const storeOpenMs = await (
      await board.waitForFunction(
        () => document.querySelector('#nps-value') && performance.now(),
        null,
        { timeout: 600000, polling: 'raf' },
      )
    ).jsonValue();
    const afterMb = rendererMb();
    const wasmMb = await board.evaluate(async () =>
      (await import('./worker-bridge.js')).ask('bench.memory'),
    );
    // A filter change on the open dashboard, through the worker's own view (the report, the
    // cross-tab, NPS by a question and the follow-up list of the rows Q1 = A keeps): the
    // worker's time and the round trip, medians of 5, alternating with the unfiltered view.
    const filterChange = await board.evaluate(async () => {
      const { ask } = await import('./worker-bridge.js');
      const view = (answers) => ({
        filter: { answers, columns: {}, from: null, to: null },
        row: 'q2',
        col: 'q14',
        by: 'q1',
        limit: 200,
        dates: true,
      });
      const worker = [];
      const trip = [];
      const cases = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const v = await ask('dash.view', view({ q1: ['A'] }));
        trip.push(performance.now() - t0);
        worker.push(v.ms);
        // The follow-up cases section, which the page asks for after drawing the view.
        const c0 = performance.now();
        await ask('cases.view', {
          filter: view({ q1: ['A'] }).filter,
          today: '2024-01-01',
          lang: 'zh-CN',
          limit: 200,
        });
        cases.push(performance.now() - c0);
        await ask('dash.view', view({}));
      }
      const mid = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
      return { workerMs: mid(worker), tripMs: mid(trip), casesMs: mid(cases) };
    });
    // The same data picked as a file on the dashboard.
    await board.evaluate(() => document.querySelector('#nps-value').remove());
    await board.locator('#src-file').setInputFiles(file);
    const picked = await board.evaluate(() => performance.now());
    const shown = await (
      await board.waitForFunction(
        () => document.querySelector('#nps-value') && performance.now(),
        null,
        { timeout: 600000, polling: 'raf' },
      )
    ).jsonValue();
    // From the file handed to the page (reading it is part of opening it) to the headline.
    const fileOpenMs = shown - picked;

    // One survey response saved into the full store (the survey's own write, median of 7).
    const saveOne = await board.evaluate(async () => {
      const s = await import('./storage.js');
      const text = await (await fetch('instruments/zg-x-branch-2023.json')).text();
      const key = await s.instrumentKey(JSON.stringify(JSON.parse(text)));
      const times = [];
      for (let i = 0; i < 7; i++) {
        const now = new Date().toISOString();
        const record = {
          id: `W-BENCH-${i}`,
          instrument: key,
          codes: new Uint8Array(17),
          extras: { mode: 'online', submitted_at: now },
          exported: 0,
          savedAt: now,
        };
        const t0 = performance.now();
        await s.submitResponse(record, { at: now, what: 'survey', detail: { id: record.id } });
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[3];
    });
    return {
      n,
      csvMb,
      previewMs,
      saveMs,
      storeOpenMs,
      fileOpenMs,
      saveOneMs: saveOne,
      filterWorkerMs: filterChange.workerMs,
      filterTripMs: filterChange.tripMs,
      filterCasesMs: filterChange.casesMs,
      importWasmMb,
      memoryMb: afterMb - baseMb,
      rendererMb: afterMb,
      wasmMb,
    };
  } finally {
    await env.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 1000000);
  const r = await measureStore(n);
  const f = (x) => x.toFixed(0);
  console.log(`device store, ${n} responses (${r.csvMb.toFixed(1)} MB CSV), headless Chromium:`);
  console.log(
    `  import: preview ${f(r.previewMs)} ms + save ${f(r.saveMs)} ms = ${f(r.previewMs + r.saveMs)} ms`,
  );
  console.log(
    `  dashboard from the store, navigation to NPS: ${f(r.storeOpenMs)} ms; from the file: ${f(r.fileOpenMs)} ms`,
  );
  console.log(
    `  filter change (Q1 = A) on the open dashboard: worker ${r.filterWorkerMs.toFixed(1)} ms, round trip ${r.filterTripMs.toFixed(1)} ms`,
  );
  console.log(`  one survey response saved into the full store: ${r.saveOneMs.toFixed(1)} ms`);
  console.log(
    `  the importing page's worker: ${f(r.importWasmMb)} MB of wasm memory after the import`,
  );
  console.log(
    `  renderer memory: +${f(r.memoryMb)} MB over the empty page (${f(r.rendererMb)} MB in all); the dashboard worker's wasm memory: ${f(r.wasmMb)} MB`,
  );
}

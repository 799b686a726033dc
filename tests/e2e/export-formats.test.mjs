// End to end: the main page's "SPSS (.sav)" and "Parquet" exports (issue 18).
// The writers are a wasm add-on (pkg/export/) that only these buttons load; the
// files must be what they claim ("$FL2", "PAR1") and, where the readers the
// Rust tests use are installed (PSPP's sibling pyreadstat, pyarrow, DuckDB:
// tests/requirements.txt), hold the same answers as the CLI's export of the
// same data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, openStaff } from './browser.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEMO = join(ROOT, 'www/demo/zg-x-branch-2023.csv');

let env;
let tmp;
before(async () => {
  env = await launch();
  tmp = mkdtempSync(join(tmpdir(), 'manyi-export-'));
});
after(async () => {
  await env?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Whether python3 can import every module (the readers are optional outside CI). */
function havePython(...modules) {
  const ok = spawnSync('python3', ['-c', `import ${modules.join(', ')}`]).status === 0;
  if (!ok && process.env.CI && process.env.CI !== 'false')
    throw new Error(`python3 lacks ${modules.join(', ')} under CI: ./dev test installs them`);
  return ok;
}

/** The CLI the Rust tests built, if any. */
function cli() {
  return ['target/debug/manyi', 'target/release/manyi']
    .map((p) => join(ROOT, p))
    .find((p) => existsSync(p));
}

/** A reference script's JSON reading of a file. */
function read(script, path) {
  return JSON.parse(
    execFileSync('python3', [join(ROOT, 'tests/reference', script), path], {
      maxBuffer: 64 << 20,
    }).toString('utf8'),
  );
}

test('the page exports SPSS and Parquet files with the same answers as the CLI', async () => {
  const context = await env.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const addon = [];
  page.on('request', (r) => {
    if (r.url().includes('/pkg/export/')) addon.push(r.url());
  });
  await openStaff(page, env.url);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.locator('#import-file').setInputFiles(DEMO);
  await page.locator('#preview:not([hidden])').waitFor();
  await page.locator('#commit').click();
  await page.waitForFunction(() => document.querySelector('#store-status').dataset.total === '366');
  // Not loaded until someone asks for one of these files.
  assert.deepEqual(addon, []);
  assert.equal(await page.locator('[data-export="sav"]').textContent(), 'SPSS 数据文件 (.sav)');
  assert.equal(
    await page.locator('[data-export="parquet"]').textContent(),
    'Parquet（总行数据分析）',
  );

  const download = async (format) => {
    const [dl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`[data-export="${format}"]`).click(),
    ]);
    const path = join(tmp, dl.suggestedFilename());
    await dl.saveAs(path);
    return { name: dl.suggestedFilename(), path, bytes: readFileSync(path) };
  };
  const sav = await download('sav');
  assert.match(sav.name, /^manyi-\d{4}-\d{2}-\d{2}-zh-CN\.sav$/);
  assert.equal(sav.bytes.subarray(0, 4).toString('latin1'), '$FL2');
  assert.ok(addon.length > 0, 'the add-on is loaded on demand');
  const parquet = await download('parquet');
  assert.match(parquet.name, /^manyi-\d{4}-\d{2}-\d{2}\.parquet$/);
  assert.equal(parquet.bytes.subarray(0, 4).toString('latin1'), 'PAR1');
  assert.equal(parquet.bytes.subarray(-4).toString('latin1'), 'PAR1');
  assert.deepEqual(errors, []);

  const manyi = cli();
  if (!manyi) {
    console.log('# the contents were not compared: no CLI built (cargo build) to compare with');
    await context.close();
    return;
  }
  const questions = Array.from({ length: 17 }, (_, i) => `q${i + 1}`);
  if (havePython('pyreadstat')) {
    const ours = join(tmp, 'cli.sav');
    execFileSync(manyi, ['export', DEMO, '--format', 'sav', '-o', ours]);
    const [page_, cli_] = [read('read_sav.py', sav.path), read('read_sav.py', ours)];
    assert.equal(page_.n, 366);
    assert.equal(page_.encoding, 'UTF-8');
    for (const q of questions) {
      assert.deepEqual(page_.counts[q], cli_.counts[q], q);
      assert.equal(page_.labels[q], cli_.labels[q], q);
      assert.deepEqual(page_.value_labels[q], cli_.value_labels[q], q);
    }
    // The page's import added its provenance columns (no operator was typed); they are strings in the file.
    assert.deepEqual(page_.names.slice(-2), ['source', 'device']);
    assert.equal(page_.types.source, 'string');
  } else {
    console.log(
      '# .sav contents not compared: pyreadstat is not installed (tests/requirements.txt)',
    );
  }
  if (havePython('pyarrow', 'duckdb')) {
    const ours = join(tmp, 'cli.parquet');
    execFileSync(manyi, ['export', DEMO, '--format', 'parquet', '-o', ours]);
    const [page_, cli_] = [read('read_parquet.py', parquet.path), read('read_parquet.py', ours)];
    assert.equal(page_.rows, 366);
    for (const q of questions) assert.deepEqual(page_.columns[q], cli_.columns[q], q);
    assert.deepEqual(page_.duckdb_groups, cli_.duckdb_groups);
    assert.equal(page_.duckdb_nps, cli_.duckdb_nps);
    assert.equal(page_.metadata.instrument_id, 'zg-x-branch-2023');
  } else {
    console.log(
      '# Parquet contents not compared: pyarrow or duckdb is not installed (tests/requirements.txt)',
    );
  }
  await context.close();
});

// Download sizes (issue 19): what every screen downloads stays small. The
// pages' module (pkg/page/, what a customer's phone loads) and the staff
// worker's (pkg/) each hold only what their screens call; what only some
// screens need (the camera's QR decoder; the .xlsx reader and writer, .sav
// and Parquet) is in the add-ons pkg/camera/ and pkg/export/, loaded on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));
const gzipped = (path) => gzipSync(read(path), { level: 9 }).length;

test('each wasm module holds only what its screens call, and stays under its budget', (t) => {
  const sizes = Object.fromEntries(
    [
      'pkg/manyi_bg.wasm',
      'pkg/page/manyi_page_bg.wasm',
      'pkg/camera/manyi_camera_bg.wasm',
      'pkg/export/manyi_export_bg.wasm',
    ].map((m) => [m, gzipped(m)]),
  );
  t.diagnostic(
    Object.entries(sizes)
      .map(([m, gz]) => `${m}: ${read(m).length} bytes, ${gz} gzip -9`)
      .join('; '),
  );
  // Budgets that catch growth. Issue 19's target for the analysis (worker's)
  // module is 150 KB, a miss explained in DESIGN.md: measured 313,661 bytes
  // once the pages' functions left it (342,575 when it held everything), then
  // ~320,000 with the import's memory work (moved rows, sparse origins, chunks
  // written in place, file kinds), then ~326,000 with double entry's checks
  // and tally (the audit trail read through serde, 4.6 KB of it), ~330,700
  // with the plan for a backup's waiting forms and ~335,700 with the
  // encrypted backup's envelope (its JSON, base64 and checks, moved from
  // vault.js), ~340,600 once restoring a backup leaves out what was deleted
  // since and writes only the audit entries the device lacks.
  // Measured beside it: the pages' module 111,577, the camera add-on 96,492
  // (427,886 as the whole core plus the decoder), the file formats 276,718
  // (518,850 as the whole core plus the formats).
  const budget = {
    'pkg/manyi_bg.wasm': 348_000,
    'pkg/page/manyi_page_bg.wasm': 115_000,
    'pkg/camera/manyi_camera_bg.wasm': 100_000,
    'pkg/export/manyi_export_bg.wasm': 285_000,
  };
  for (const [m, max] of Object.entries(budget))
    assert.ok(sizes[m] < max, `${m} is ${sizes[m]} bytes gzipped (budget ${max})`);
  // What each module exports: wasm-bindgen writes an `export function` or
  // `export class` line in its JavaScript for every one.
  const exported = (glue) =>
    [
      ...read(glue)
        .toString()
        .matchAll(/^export (?:function|class) (\w+)/gm),
    ]
      .map((m) => m[1])
      .sort();
  assert.deepEqual(exported('pkg/camera/manyi_camera.js'), ['decodeQr']);
  assert.deepEqual(exported('pkg/export/manyi_export.js'), [
    'Dataset',
    'parquetFromCsv',
    'savFromCsv',
    'seedHashing',
  ]);
  assert.deepEqual(exported('pkg/manyi.js'), [
    'Dataset',
    'DeviceStore',
    'Incoming',
    'checkPassphrase',
    'editChanges',
    'entryDisagreements',
    'entryTally',
    'fileKind',
    'isSealedBackup',
    'lockRules',
    'mergeCaseEvents',
    'readSealedBackup',
    'seedHashing',
    'verifyEntry',
    'writeSealedBackup',
  ]);
  const page = exported('pkg/page/manyi_page.js');
  for (const name of ['Dataset', 'DeviceStore', 'Incoming', 'decodeQr', 'savFromCsv'])
    assert.ok(!page.includes(name), `the pages' module has ${name}`);
  for (const name of ['encodeResponse', 'qrCode', 'parseInstrument', 'completeId'])
    assert.ok(page.includes(name), `the pages' module lacks ${name}`);
  // The worker's data sets read and write no workbook: the add-on does.
  const glue = read('pkg/manyi.js').toString();
  for (const name of ['fromXlsx', 'toXlsx', 'savFromCsv', 'parquetFromCsv', 'decodeQr'])
    assert.ok(!glue.includes(`${name}(`), `the worker's module has ${name}`);
  const files = read('pkg/export/manyi_export.js').toString();
  for (const name of ['fromXlsx', 'toXlsx', 'savFromCsv', 'parquetFromCsv'])
    assert.ok(files.includes(`${name}(`), `the file formats add-on lacks ${name}`);
});

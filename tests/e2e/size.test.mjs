// Download sizes (issue 19): what every screen downloads stays small, and the
// main wasm package leaves out what only some screens need (the camera's QR
// decoder, the .xlsx reader and writer, .sav and Parquet), which the add-ons
// pkg/camera/ and pkg/export/ hold and the pages load on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root));
const gzipped = (path) => gzipSync(read(path), { level: 9 }).length;

test('the main wasm package leaves the add-ons out, and stays under its budget', (t) => {
  const main = gzipped('pkg/manyi_bg.wasm');
  t.diagnostic(`pkg/manyi_bg.wasm: ${read('pkg/manyi_bg.wasm').length} bytes, ${main} gzip -9`);
  t.diagnostic(
    `pkg/export/manyi_export_bg.wasm: ${gzipped('pkg/export/manyi_export_bg.wasm')} gzip -9; pkg/camera/manyi_camera_bg.wasm: ${gzipped('pkg/camera/manyi_camera_bg.wasm')} gzip -9`,
  );
  // Issue 19's target is 150 KB gzipped; measured 314,902 bytes after the .xlsx
  // split (399,564 before), a miss explained in DESIGN.md; 341,695 with the
  // many-cross-tabs call and the faster view paths (~+4 KB). This budget catches growth.
  assert.ok(main < 345_000, `pkg/manyi_bg.wasm is ${main} bytes gzipped`);
  const glue = read('pkg/manyi.js').toString();
  for (const name of ['fromXlsx', 'toXlsx', 'savFromCsv', 'parquetFromCsv', 'decodeQr']) {
    assert.ok(!glue.includes(`${name}(`), `the main package has ${name}`);
  }
  const files = read('pkg/export/manyi_export.js').toString();
  for (const name of ['fromXlsx', 'toXlsx', 'savFromCsv', 'parquetFromCsv']) {
    assert.ok(files.includes(`${name}(`), `the file formats add-on lacks ${name}`);
  }
  assert.ok(
    read('pkg/camera/manyi_camera.js').toString().includes('decodeQr('),
    'the camera add-on lacks decodeQr',
  );
});

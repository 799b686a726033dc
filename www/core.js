// The pages' door to the Rust core: loads the pages' WebAssembly module
// (pkg/page/: questionnaire checks, hand-off codes, QR encoding, form ids) once
// and hands out its exports. Data sets and the device store are the worker's
// (worker.js, pkg/).
// @ts-ignore pkg/ is built by ./dev (wasm-bindgen, without type declarations)
import init, * as manyi from './pkg/page/manyi_page.js';

/** @type {Promise<typeof manyi> | undefined} */
let ready;

/** Resolves, once the WebAssembly module is loaded, to the core's exports; the same promise every time. */
export function core() {
  ready ??= init().then(() => manyi);
  return ready;
}

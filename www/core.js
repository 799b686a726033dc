// The one door to the Rust core: loads the WebAssembly module once and hands
// out its exports (Dataset, builtinInstrument, issueToken, encodeResponse, …).
// @ts-ignore pkg/ is built by ./dev (wasm-bindgen, without type declarations)
import init, * as manyi from './pkg/manyi.js';

/** @type {Promise<typeof manyi> | undefined} */
let ready;

/** Resolves, once the WebAssembly module is loaded, to the core's exports; the same promise every time. */
export function core() {
  // Hashes of ids from files are keyed with randomness only the page has (wasm has none).
  ready ??= init().then(
    () => (manyi.seedHashing(crypto.getRandomValues(new Uint8Array(16))), manyi),
  );
  return ready;
}

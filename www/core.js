// The one door to the Rust core: loads the WebAssembly module once.
import init, { Dataset, builtinInstrument, parseInstrument } from './pkg/manyi.js';

/** @type {Promise<{Dataset: typeof Dataset, builtinInstrument: typeof builtinInstrument, parseInstrument: typeof parseInstrument}> | undefined} */
let ready;

/** Resolves once the WebAssembly module is loaded; the same promise every time. */
export function core() {
  ready ??= init().then(() => ({ Dataset, builtinInstrument, parseInstrument }));
  return ready;
}

// Which questionnaire a page uses: the built-in one (the very file the core
// compiles in, read without waiting for the wasm), or the instrument file that
// ?instrument=URL names, checked by the core.
const BUILTIN_URL = 'instruments/zg-x-branch-2023.json';

/** The instrument for this page: `url` (checked by the core) or, when null, the built-in one. */
export async function loadInstrument(url = new URLSearchParams(location.search).get('instrument')) {
  const res = await fetch(url ?? BUILTIN_URL);
  if (!res.ok) throw new Error(`${url ?? BUILTIN_URL}: HTTP ${res.status}`);
  if (!url) return res.json();
  const { core } = await import('./core.js');
  const { parseInstrument } = await core();
  return parseInstrument(await res.text());
}

// Which questionnaire a page uses: the built-in one (the very file the core
// compiles in, read without waiting for the wasm), or the file of this site
// that ?instrument=instruments/NAME.json names. The core decides which paths
// are allowed (src/core/source.rs: only this site's instruments/ folder, so a link
// cannot put another origin's questions under the bank's address) and checks
// the file; redirects are refused.
const BUILTIN_URL = 'instruments/zg-x-branch-2023.json';

/** The instrument for this page: `path` (checked by the core) or, when null, the built-in one. */
export async function loadInstrument(
  path = new URLSearchParams(location.search).get('instrument'),
) {
  if (path == null) {
    const res = await fetch(BUILTIN_URL);
    if (!res.ok) throw new Error(`${BUILTIN_URL}: HTTP ${res.status}`);
    return res.json();
  }
  const { core } = await import('./core.js');
  const { instrumentPath, parseInstrument } = await core();
  const allowed = instrumentPath(path);
  const res = await fetch(allowed, { redirect: 'error', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${allowed}: HTTP ${res.status}`);
  return parseInstrument(await res.text());
}

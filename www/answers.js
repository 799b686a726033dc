// Answer codes as every page writes them and reads keys as them (the codes
// are the core's, src/core/instrument/: option index, value − min, MISSING). No
// WebAssembly: the survey's first load has none.

/** The code of "not answered" (the core's `MISSING`). */
export const MISSING = 255;

/** A code as on the paper form: letter or number; '·' not answered, '' none yet. */
export function codeMark(q, code) {
  if (code == null) return '';
  if (code === MISSING) return '·';
  return q.kind === 'scale' ? String(q.min + code) : q.options[code].code;
}

/** A code in words (`textOf` picks the language): option text or number. */
export function codeMeaning(q, code, textOf) {
  if (code == null || code === MISSING) return '';
  return q.kind === 'scale' ? String(q.min + code) : textOf(q.options[code].label);
}

/** The keys that answer `q`: "A–E" or "0–10". */
export function answerKeys(q) {
  if (q.kind === 'scale') return `${q.min}–${q.max}`;
  const codes = q.options.map((o) => o.code);
  return `${codes[0]}–${codes[codes.length - 1]}`;
}

/** Whether a longer number starting with `t` lies in min–max (1 → 10 on 0–10). */
function couldGrow(t, min, max) {
  if (t === 0) return false;
  for (let lo = t * 10, hi = t * 10 + 9; lo <= max; lo *= 10, hi = hi * 10 + 9)
    if (hi >= min) return true;
  return false;
}

/**
 * Key `key` on question `q` after the scale digits `digits`: `{ code, wait,
 * digits }` (code null while only the start of a number; `wait`: another digit
 * may follow, "1" of "10"), `{ refused }`, or null for a key that answers
 * nothing. Space or "." is MISSING where `blank` allows (the entry screen).
 */
export function keyAnswer(q, key, digits = '', { blank = false } = {}) {
  if (blank && (key === ' ' || key === '.')) return { code: MISSING, wait: false, digits: '' };
  if (key.length !== 1 || key === ' ') return null;
  if (q.kind !== 'scale') {
    const k = q.options.findIndex((o) => o.code.toLowerCase() === key.toLowerCase());
    return k < 0 ? { refused: key } : { code: k, wait: false, digits: '' };
  }
  if (!/^[0-9]$/.test(key)) return { refused: key };
  const typed = digits + key;
  const v = Number(typed);
  const exact = v >= q.min && v <= q.max && !(typed.length > 1 && typed.startsWith('0'));
  const wait = typed !== '0' && couldGrow(v, q.min, q.max);
  if (!exact && !wait) return { refused: typed };
  return { code: exact ? v - q.min : null, wait, digits: wait ? typed : '' };
}

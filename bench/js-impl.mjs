// The comparison for bench/run.mjs: the same statistics written the way browser
// survey tools hold data — an array of response objects ({id, q1: 'A', …}) —
// in plain, idiomatic JavaScript. Not used by manyi itself.

/** CSV text → array of objects keyed by header (the generated data has no quoted fields). */
export function parseCsv(text) {
  const lines = text.split('\n');
  const header = lines[0].trim().split(',');
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const cells = line.split(',');
    const row = {};
    header.forEach((h, j) => {
      row[h] = cells[j];
    });
    rows.push(row);
  }
  return rows;
}

const codesOf = (q) =>
  q.kind === 'scale'
    ? Array.from({ length: q.max - q.min + 1 }, (_, k) => String(q.min + k))
    : q.options.map((o) => o.code);

function wilson(k, n) {
  if (!n) return null;
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [100 * (c - h), 100 * (c + h)];
}

function frequency(rows, q) {
  const counts = {};
  let missing = 0;
  for (const r of rows) {
    const v = r[q.id];
    if (v === '' || v === undefined) missing++;
    else counts[v] = (counts[v] || 0) + 1;
  }
  const valid = rows.length - missing;
  const percent = {};
  for (const c of codesOf(q)) percent[c] = valid ? (100 * (counts[c] || 0)) / valid : null;
  return { counts, percent, valid, missing };
}

function nps(rows, q) {
  let p = 0;
  let d = 0;
  let n = 0;
  for (const r of rows) {
    const v = r[q.id];
    if (v === '' || v === undefined) continue;
    const x = Number(v);
    n++;
    if (x >= 9) p++;
    else if (x <= 6) d++;
  }
  const pp = p / n;
  const pd = d / n;
  const score = 100 * (pp - pd);
  const se = 100 * Math.sqrt((pp + pd - (pp - pd) ** 2) / n);
  return {
    n,
    promoters: p,
    detractors: d,
    nps: score,
    se,
    ci95: [score - 1.959963984540054 * se, score + 1.959963984540054 * se],
    promotersCi: wilson(p, n),
    detractorsCi: wilson(d, n),
  };
}

function variance(xs) {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

function correlation(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function alpha(items) {
  const k = items.length;
  const totals = items[0].map((_, r) => items.reduce((a, it) => a + it[r], 0));
  const itemVar = items.reduce((a, it) => a + variance(it), 0);
  return (k / (k - 1)) * (1 - itemVar / variance(totals));
}

function reliability(rows, qs) {
  const complete = rows.filter((r) => qs.every((q) => r[q.id] !== '' && r[q.id] !== undefined));
  const items = qs.map((q) =>
    complete.map((r) => q.options.length - q.options.findIndex((o) => o.code === r[q.id])),
  );
  const rs = [];
  for (let a = 0; a < items.length; a++)
    for (let b = a + 1; b < items.length; b++) rs.push(correlation(items[a], items[b]));
  const rBar = rs.reduce((x, y) => x + y, 0) / rs.length;
  const k = items.length;
  return {
    n: complete.length,
    alpha: alpha(items),
    standardized: (k * rBar) / (1 + (k - 1) * rBar),
    alphaIfDeleted: items.map((_, i) => alpha(items.filter((_, j) => j !== i))),
    itemTotal: items.map((it, i) =>
      correlation(
        it,
        it.map((_, r) => items.reduce((a, other, j) => (j === i ? a : a + other[r]), 0)),
      ),
    ),
  };
}

/** The full one-way report: every frequency table, NPS with its interval, satisfaction items and the scale. */
export function report(rows, instrument) {
  const byId = Object.fromEntries(instrument.questions.map((q) => [q.id, q]));
  const frequencies = Object.fromEntries(
    instrument.questions.map((q) => [q.id, frequency(rows, q)]),
  );
  const sat = instrument.satisfaction.map((id) => {
    const q = byId[id];
    const f = frequencies[id];
    const k = q.options.length;
    const mean = f.valid
      ? q.options.reduce((a, o, i) => a + (k - i) * (f.counts[o.code] || 0), 0) / f.valid
      : null;
    return {
      id,
      top: f.percent[q.options[0].code],
      bottom: f.percent[q.options[k - 1].code],
      mean,
      index: mean == null ? null : (100 * (mean - 1)) / (k - 1),
    };
  });
  return {
    n: rows.length,
    frequencies,
    nps: nps(rows, byId[instrument.nps]),
    satisfaction: sat,
    scale: reliability(
      rows,
      instrument.satisfaction.map((id) => byId[id]),
    ),
  };
}

// Regularized upper incomplete gamma Q(a, x) (Numerical Recipes), for the χ² p-value
// (its constants as the nearest doubles print them: the same numbers).
function lnGamma(x) {
  const c = [
    76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155,
    0.001208650973866179, -0.000005395239384953,
  ];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const ci of c) ser += ci / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}
function gammaQ(a, x) {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let i = 0; i < 500; i++) {
      del *= x / ++ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}
const normalSf2 = (z) => gammaQ(0.5, (z * z) / 2); // two-sided p of |z|

/** A cross-tab of two questions with χ², p, Cramér's V, adjusted residuals and column-proportion letters. */
export function crosstab(rows, instrument, rowId, colId) {
  const rq = instrument.questions.find((q) => q.id === rowId);
  const cq = instrument.questions.find((q) => q.id === colId);
  const rc = codesOf(rq);
  const cc = codesOf(cq);
  const table = {};
  let n = 0;
  for (const r of rows) {
    const a = r[rowId];
    const b = r[colId];
    if (!a || !b) continue;
    table[a] ??= {};
    table[a][b] = (table[a][b] || 0) + 1;
    n++;
  }
  const counts = rc.map((a) => cc.map((b) => table[a]?.[b] || 0));
  const rowT = counts.map((row) => row.reduce((x, y) => x + y, 0));
  const colT = cc.map((_, j) => counts.reduce((x, row) => x + row[j], 0));
  const ri = rc.map((_, i) => i).filter((i) => rowT[i] > 0);
  const cj = cc.map((_, j) => j).filter((j) => colT[j] > 0);
  let chi2 = 0;
  const residuals = counts.map(() => cc.map(() => null));
  for (const i of ri) {
    for (const j of cj) {
      const e = (rowT[i] * colT[j]) / n;
      chi2 += (counts[i][j] - e) ** 2 / e;
      residuals[i][j] = (counts[i][j] - e) / Math.sqrt(e * (1 - rowT[i] / n) * (1 - colT[j] / n));
    }
  }
  const df = (ri.length - 1) * (cj.length - 1);
  const p = df > 0 ? gammaQ(df / 2, chi2 / 2) : null;
  const v = Math.sqrt(chi2 / (n * Math.min(ri.length - 1, cj.length - 1)));
  // Column letters by IBM's CTABLES rule, as the core: per row, only columns with a base of 2 or more
  // and a proportion strictly between 0 and 1 are compared, Bonferroni over that row's comparisons.
  const letters = counts.map(() => cc.map(() => ''));
  for (const i of ri) {
    const compared = cj.filter((j) => colT[j] >= 2 && counts[i][j] > 0 && counts[i][j] < colT[j]);
    const pairs = (compared.length * (compared.length - 1)) / 2;
    for (const a of compared) {
      for (const b of compared) {
        if (a === b) continue;
        const pa = counts[i][a] / colT[a];
        const pb = counts[i][b] / colT[b];
        const pool = (counts[i][a] + counts[i][b]) / (colT[a] + colT[b]);
        const se = Math.sqrt(pool * (1 - pool) * (1 / colT[a] + 1 / colT[b]));
        if (pa > pb && normalSf2((pa - pb) / se) * pairs < 0.05)
          letters[i][a] += String.fromCharCode(65 + b);
      }
    }
  }
  return { counts, rowT, colT, n, chi2, df, p, v, residuals, letters };
}

// SVG charts drawn from numbers the core computed: no statistics here, only
// geometry. Colours are Okabe–Ito (safe for the common colour-vision
// deficiencies) and each mark has at least 3:1 contrast on white; every chart
// is an image with a text alternative, and the page shows the same numbers in
// a table beside it.

const NS = 'http://www.w3.org/2000/svg';

export const COLORS = {
  good: '#0072B2', // blue: promoters, satisfied
  middle: '#8C8C8C', // grey: passives, neutral
  bad: '#D55E00', // vermillion: detractors, dissatisfied
  ink: '#1b1b1f',
  axis: '#6b6b75',
};

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, String(v));
  for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(width, height, label, ...children) {
  return s('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMinYMin meet', class: 'chart' }, s('title', {}, label), ...children);
}

const pct = (x) => `${(x ?? 0).toFixed(1)}%`;

/** One bar split into parts [{label, value (0–100), color}], labelled above. */
export function splitBar(parts, label) {
  const W = 600;
  let x = 0;
  const marks = [];
  for (const p of parts) {
    const w = (W * (p.value ?? 0)) / 100;
    marks.push(s('rect', { x, y: 22, width: Math.max(0, w), height: 28, fill: p.color }));
    if (w > 40) marks.push(s('text', { x: x + w / 2, y: 16, 'text-anchor': 'middle', 'font-size': 13, fill: COLORS.ink }, `${p.label} ${pct(p.value)}`));
    x += w;
  }
  return svg(W, 56, label, marks);
}

/** Horizontal bars [{label, value (0–100), count}], one row each. */
export function hbars(rows, label) {
  const W = 600;
  const LABEL = 220;
  const ROW = 24;
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const marks = rows.flatMap((r, i) => {
    const y = i * ROW;
    const w = ((W - LABEL - 90) * (r.value ?? 0)) / max;
    return [
      s('text', { x: LABEL - 8, y: y + 16, 'text-anchor': 'end', 'font-size': 13, fill: COLORS.ink }, r.label.length > 18 ? `${r.label.slice(0, 17)}…` : r.label),
      s('rect', { x: LABEL, y: y + 4, width: Math.max(0, w), height: ROW - 8, fill: COLORS.good }),
      s('text', { x: LABEL + w + 6, y: y + 16, 'font-size': 13, fill: COLORS.ink }, `${r.count} · ${pct(r.value)}`),
    ];
  });
  return svg(W, rows.length * ROW + 4, label, marks);
}

/**
 * Diverging stacked bars [{label, bad, middle, good}] (percentages): the bad
 * share left of the centre line, the good share right, the middle share
 * straddling it.
 */
export function diverging(items, label) {
  const W = 600;
  const LABEL = 200;
  const ROW = 30;
  const mid = LABEL + (W - LABEL) / 2;
  const unit = (W - LABEL - 20) / 200;
  const marks = items.flatMap((it, i) => {
    const y = i * ROW + 20;
    const half = (it.middle * unit) / 2;
    const badW = it.bad * unit;
    const goodW = it.good * unit;
    return [
      s('text', { x: LABEL - 8, y: y + 15, 'text-anchor': 'end', 'font-size': 13, fill: COLORS.ink }, it.label.length > 16 ? `${it.label.slice(0, 15)}…` : it.label),
      s('rect', { x: mid - half - badW, y: y + 2, width: badW, height: ROW - 8, fill: COLORS.bad }),
      s('rect', { x: mid - half, y: y + 2, width: half * 2, height: ROW - 8, fill: COLORS.middle }),
      s('rect', { x: mid + half, y: y + 2, width: goodW, height: ROW - 8, fill: COLORS.good }),
      s('text', { x: mid - half - badW - 4, y: y + 15, 'text-anchor': 'end', 'font-size': 12, fill: COLORS.ink }, pct(it.bad)),
      s('text', { x: mid + half + goodW + 4, y: y + 15, 'font-size': 12, fill: COLORS.ink }, pct(it.good)),
    ];
  });
  const axis = s('line', { x1: mid, x2: mid, y1: 14, y2: items.length * ROW + 22, stroke: COLORS.axis, 'stroke-width': 1 });
  return svg(W, items.length * ROW + 26, label, marks, axis);
}

/** Point estimates with intervals on −100…100 [{label, value, lo, hi}]. */
export function intervals(rows, label) {
  const W = 600;
  const LABEL = 200;
  const ROW = 26;
  const x = (v) => LABEL + ((Math.max(-100, Math.min(100, v)) + 100) / 200) * (W - LABEL - 20);
  const marks = rows.flatMap((r, i) => {
    const y = i * ROW + 24;
    if (r.value == null) return [s('text', { x: LABEL - 8, y: y + 4, 'text-anchor': 'end', 'font-size': 13, fill: COLORS.ink }, r.label)];
    return [
      s('text', { x: LABEL - 8, y: y + 4, 'text-anchor': 'end', 'font-size': 13, fill: COLORS.ink }, r.label.length > 16 ? `${r.label.slice(0, 15)}…` : r.label),
      s('line', { x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, stroke: COLORS.good, 'stroke-width': 3 }),
      s('circle', { cx: x(r.value), cy: y, r: 5, fill: r.value < 0 ? COLORS.bad : COLORS.good }),
    ];
  });
  const ticks = [-100, -50, 0, 50, 100].flatMap((t) => [
    s('line', { x1: x(t), x2: x(t), y1: 8, y2: rows.length * ROW + 14, stroke: t === 0 ? COLORS.axis : '#d5d5de', 'stroke-width': 1 }),
    s('text', { x: x(t), y: 8, 'text-anchor': 'middle', 'font-size': 11, fill: COLORS.axis }, String(t)),
  ]);
  return svg(W, rows.length * ROW + 20, label, ticks, marks);
}

/** The background of a cross-tab cell from its adjusted residual: blue above expectation, vermillion below. */
export function heat(residual) {
  if (residual == null || !Number.isFinite(residual)) return '';
  const a = Math.min(Math.abs(residual) / 4, 1) * 0.45;
  return residual >= 0 ? `rgba(0, 114, 178, ${a.toFixed(3)})` : `rgba(213, 94, 0, ${a.toFixed(3)})`;
}

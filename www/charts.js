// SVG charts drawn from numbers the core computed: no statistics here, only
// geometry. Colours are Okabe–Ito (safe for the common colour-vision
// deficiencies) and each mark has at least 3:1 contrast on white; every chart
// is an image with a text alternative, and the page shows the same numbers in
// a table beside it.
//
// Each chart is drawn at the pixel width it is shown at (`width`, from the
// page's layout), so its text keeps its size: 13 px, never below 12 px, on a
// phone as on a laptop. Below NARROW pixels a row's label goes above its bar.

const NS = 'http://www.w3.org/2000/svg';
const FONT = 13;
const SMALL = 12;
const NARROW = 480;

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
  return s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, preserveAspectRatio: 'xMinYMin meet', class: 'chart' }, s('title', {}, label), ...children);
}

const pct = (x) => `${(x ?? 0).toFixed(1)}%`;
/** The chart's width in pixels: what the page gives, within reason. */
const widthOf = (width) => Math.round(Math.max(240, Math.min(640, width ?? 600)));

/** About how wide `text` is at `size` px: CJK characters a full em, the rest about 0.6 em. */
export function textWidth(text, size = FONT) {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0) >= 0x2e80 ? size : size * 0.6;
  return w;
}

/** `text`, shortened with an ellipsis to fit `px` pixels (the full text is in the table beside). */
export function fit(text, px, size = FONT) {
  if (textWidth(text, size) <= px) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`, size) > px) break;
    out += ch;
  }
  return `${out}…`;
}

const label = (x, y, text, anchor = 'start', size = FONT, fill = COLORS.ink) => s('text', { x, y, 'text-anchor': anchor, 'font-size': size, fill }, text);

/** One bar split into parts [{label, value (0–100), color}], labelled above where the label fits. */
export function splitBar(parts, alt, width) {
  const W = widthOf(width);
  let x = 0;
  const marks = [];
  for (const p of parts) {
    const w = (W * (p.value ?? 0)) / 100;
    marks.push(s('rect', { x, y: 22, width: Math.max(0, w), height: 28, fill: p.color }));
    const long = `${p.label} ${pct(p.value)}`;
    const text = textWidth(long) <= w - 4 ? long : textWidth(pct(p.value)) <= w - 4 ? pct(p.value) : null;
    if (text) marks.push(label(x + w / 2, 16, text, 'middle'));
    x += w;
  }
  return svg(W, 56, alt, marks);
}

/** Horizontal bars [{label, value (0–100), count}], one row each. */
export function hbars(rows, alt, width) {
  const W = widthOf(width);
  const narrow = W < NARROW;
  const LABEL = narrow ? 0 : Math.round(W * 0.36);
  const ROW = narrow ? 40 : 26;
  const TOP = narrow ? 18 : 4;
  const max = Math.max(1, ...rows.map((r) => r.value ?? 0));
  const marks = rows.flatMap((r, i) => {
    const y = i * ROW;
    const end = `${r.count} · ${pct(r.value)}`;
    const w = ((W - LABEL - textWidth(end) - 10) * (r.value ?? 0)) / max;
    return [
      narrow ? label(0, y + 13, fit(r.label, W)) : label(LABEL - 8, y + 17, fit(r.label, LABEL - 12), 'end'),
      s('rect', { x: LABEL, y: y + TOP, width: Math.max(0, w), height: narrow ? 16 : ROW - 8, fill: COLORS.good }),
      label(LABEL + w + 6, y + TOP + (narrow ? 13 : 13), end),
    ];
  });
  return svg(W, rows.length * ROW + 4, alt, marks);
}

/**
 * Diverging stacked bars [{label, bad, middle, good}] (percentages): the bad
 * share left of the centre line, the good share right, the middle share
 * straddling it.
 */
export function diverging(items, alt, width) {
  const W = widthOf(width);
  const narrow = W < NARROW;
  const LABEL = narrow ? 0 : Math.round(W * 0.33);
  const ROW = narrow ? 44 : 30;
  const PAD = 44; // room for the percentages at either end
  const mid = LABEL + PAD + (W - LABEL - 2 * PAD) / 2;
  const unit = (W - LABEL - 2 * PAD) / 200;
  const marks = items.flatMap((it, i) => {
    const y = i * ROW + (narrow ? 34 : 20);
    const half = (it.middle * unit) / 2;
    const badW = it.bad * unit;
    const goodW = it.good * unit;
    return [
      narrow ? label(0, y - 6, fit(it.label, W)) : label(LABEL - 8, y + 15, fit(it.label, LABEL - 12), 'end'),
      s('rect', { x: mid - half - badW, y: y + 2, width: badW, height: narrow ? 18 : ROW - 8, fill: COLORS.bad }),
      s('rect', { x: mid - half, y: y + 2, width: half * 2, height: narrow ? 18 : ROW - 8, fill: COLORS.middle }),
      s('rect', { x: mid + half, y: y + 2, width: goodW, height: narrow ? 18 : ROW - 8, fill: COLORS.good }),
      label(mid - half - badW - 4, y + 15, pct(it.bad), 'end', SMALL),
      label(mid + half + goodW + 4, y + 15, pct(it.good), 'start', SMALL),
    ];
  });
  const bottom = items.length * ROW + (narrow ? 18 : 22);
  // The centre line: through the bars only when the labels sit above them.
  const axis = narrow
    ? items.map((_, i) => s('line', { x1: mid, x2: mid, y1: i * ROW + 34, y2: i * ROW + 56, stroke: COLORS.axis, 'stroke-width': 1 }))
    : s('line', { x1: mid, x2: mid, y1: 14, y2: bottom, stroke: COLORS.axis, 'stroke-width': 1 });
  return svg(W, bottom + 4, alt, marks, axis);
}

/** Point estimates with intervals on −100…100 [{label, value, lo, hi}]. */
export function intervals(rows, alt, width) {
  const W = widthOf(width);
  const narrow = W < NARROW;
  const LABEL = narrow ? 0 : Math.round(W * 0.33);
  const ROW = narrow ? 40 : 26;
  const x = (v) => LABEL + 14 + ((Math.max(-100, Math.min(100, v)) + 100) / 200) * (W - LABEL - 30);
  const marks = rows.flatMap((r, i) => {
    const y = i * ROW + (narrow ? 44 : 30);
    const name = narrow ? label(0, y - 10, fit(r.label, W)) : label(LABEL - 8, y + 4, fit(r.label, LABEL - 12), 'end');
    if (r.value == null) return [name];
    return [
      name,
      s('line', { x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, stroke: COLORS.good, 'stroke-width': 3 }),
      s('circle', { cx: x(r.value), cy: y, r: 5, fill: r.value < 0 ? COLORS.bad : COLORS.good }),
    ];
  });
  const bottom = rows.length * ROW + (narrow ? 24 : 20);
  const ticks = [-100, -50, 0, 50, 100].flatMap((t) => [
    s('line', { x1: x(t), x2: x(t), y1: 16, y2: bottom, stroke: t === 0 ? COLORS.axis : '#d5d5de', 'stroke-width': 1 }),
    label(x(t), 12, String(t).replace('-', '\u2212'), 'middle', SMALL, COLORS.axis),
  ]);
  return svg(W, bottom + 4, alt, ticks, marks);
}

/** The background of a cross-tab cell from its adjusted residual: blue above expectation, vermillion below. */
export function heat(residual) {
  if (residual == null || !Number.isFinite(residual)) return '';
  const a = Math.min(Math.abs(residual) / 4, 1) * 0.45;
  return residual >= 0 ? `rgba(0, 114, 178, ${a.toFixed(3)})` : `rgba(213, 94, 0, ${a.toFixed(3)})`;
}

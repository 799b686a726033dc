// SVG charts drawn from numbers the core computed: no statistics here, only
// geometry. Colours are Okabe–Ito (safe for the common colour-vision
// deficiencies) and each mark has at least 3:1 contrast on white; every chart
// is an image with a text alternative, and the page shows the same numbers in
// a table beside it.
//
// Each chart is drawn at the pixel width it is shown at (`width`, from the
// page's layout), so its text keeps its size: 13 px, never below 12 px, on a
// phone as on a laptop. Below NARROW pixels a row's label goes above its bar.

import { clampNps, COLORS } from './present.js';

const NS = 'http://www.w3.org/2000/svg';
const FONT = 13;
const SMALL = 12;
const NARROW = 480;

// The colours are the reports' own (present.js), so a chart and a table agree.
export { COLORS };

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, String(v));
  for (const c of children.flat())
    if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(width, height, label, ...children) {
  return s(
    'svg',
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': label,
      preserveAspectRatio: 'xMinYMin meet',
      class: 'chart',
    },
    s('title', {}, label),
    ...children,
  );
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

const label = (x, y, text, anchor = 'start', size = FONT, fill = COLORS.ink) =>
  s('text', { x, y, 'text-anchor': anchor, 'font-size': size, fill }, text);

/** One bar split into parts [{label, value (0–100), color}], labelled above where the label fits. */
export function splitBar(parts, alt, width) {
  const W = widthOf(width);
  let x = 0;
  const marks = [];
  for (const p of parts) {
    const w = (W * (p.value ?? 0)) / 100;
    marks.push(s('rect', { x, y: 22, width: Math.max(0, w), height: 28, fill: p.color }));
    const long = `${p.label} ${pct(p.value)}`;
    const text =
      textWidth(long) <= w - 4 ? long : textWidth(pct(p.value)) <= w - 4 ? pct(p.value) : null;
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
      narrow
        ? label(0, y + 13, fit(r.label, W))
        : label(LABEL - 8, y + 17, fit(r.label, LABEL - 12), 'end'),
      s('rect', {
        x: LABEL,
        y: y + TOP,
        width: Math.max(0, w),
        height: narrow ? 16 : ROW - 8,
        fill: COLORS.good,
      }),
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
      narrow
        ? label(0, y - 6, fit(it.label, W))
        : label(LABEL - 8, y + 15, fit(it.label, LABEL - 12), 'end'),
      s('rect', {
        x: mid - half - badW,
        y: y + 2,
        width: badW,
        height: narrow ? 18 : ROW - 8,
        fill: COLORS.bad,
      }),
      s('rect', {
        x: mid - half,
        y: y + 2,
        width: half * 2,
        height: narrow ? 18 : ROW - 8,
        fill: COLORS.middle,
      }),
      s('rect', {
        x: mid + half,
        y: y + 2,
        width: goodW,
        height: narrow ? 18 : ROW - 8,
        fill: COLORS.good,
      }),
      label(mid - half - badW - 4, y + 15, pct(it.bad), 'end', SMALL),
      label(mid + half + goodW + 4, y + 15, pct(it.good), 'start', SMALL),
    ];
  });
  const bottom = items.length * ROW + (narrow ? 18 : 22);
  // The centre line: through the bars only when the labels sit above them.
  const axis = narrow
    ? items.map((_, i) =>
        s('line', {
          x1: mid,
          x2: mid,
          y1: i * ROW + 34,
          y2: i * ROW + 56,
          stroke: COLORS.axis,
          'stroke-width': 1,
        }),
      )
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
    const name = narrow
      ? label(0, y - 10, fit(r.label, W))
      : label(LABEL - 8, y + 4, fit(r.label, LABEL - 12), 'end');
    if (r.value == null) return [name];
    return [
      name,
      s('line', { x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, stroke: COLORS.good, 'stroke-width': 3 }),
      s('circle', { cx: x(r.value), cy: y, r: 5, fill: r.value < 0 ? COLORS.bad : COLORS.good }),
    ];
  });
  const bottom = rows.length * ROW + (narrow ? 24 : 20);
  const ticks = [-100, -50, 0, 50, 100].flatMap((t) => [
    s('line', {
      x1: x(t),
      x2: x(t),
      y1: 16,
      y2: bottom,
      stroke: t === 0 ? COLORS.axis : '#d5d5de',
      'stroke-width': 1,
    }),
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

/** A step of 1, 2, 2.5 or 5 times a power of ten, about `rough` long. */
function niceStep(rough) {
  const p = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-9)));
  const m = rough / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/** Ticks from `lo` to `hi` (both widened to a step), about `count` of them. */
function ticks(lo, hi, count) {
  const step = niceStep((hi - lo) / count || 1);
  const from = Math.floor(lo / step) * step;
  const to = Math.ceil(hi / step) * step;
  const out = [];
  for (let v = from; v <= to + step / 1e6; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

const num = (v) => String(v).replace('-', '\u2212');

/**
 * Importance × performance: each item a point [{label, x, y, mark}] (x the
 * share of R² in %, y the 0–100 index), dashed lines at `means` {x, y}, the
 * quadrant right of the mean share and below the mean index shaded and named
 * `quadrant`; the point with `mark` is the core's pick, drawn larger in
 * vermillion. `names` {x, y, quadrant} name the axes and the quadrant.
 */
export function quadrant(points, means, names, alt, width) {
  const W = widthOf(width);
  const narrow = W < NARROW;
  const H = narrow ? 280 : 320;
  const L = 40;
  const R = 14;
  const T = 34;
  const B = 44;
  const xs = ticks(0, Math.max(means.x, ...points.map((p) => p.x)) * 1.1, narrow ? 3 : 5);
  const ys = points.map((p) => p.y);
  const yt = ticks(
    Math.max(0, Math.min(means.y, ...ys) - 4),
    Math.min(100, Math.max(means.y, ...ys) + 4),
    4,
  );
  const [x0, x1] = [xs[0], xs[xs.length - 1]];
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const X = (v) => L + ((v - x0) / (x1 - x0 || 1)) * (W - L - R);
  const Y = (v) => T + (1 - (v - y0) / (y1 - y0 || 1)) * (H - T - B);
  const marks = [
    // The quadrant to fix first: important (right of the mean share) and below the mean index.
    s('rect', {
      x: X(means.x),
      y: Y(means.y),
      width: Math.max(0, W - R - X(means.x)),
      height: Math.max(0, H - B - Y(means.y)),
      fill: 'rgba(213, 94, 0, 0.10)',
    }),
    label(W - R - 4, H - B - 8, names.quadrant, 'end', SMALL, COLORS.ink),
    ...xs.flatMap((v) => [
      s('line', { x1: X(v), x2: X(v), y1: T, y2: H - B, stroke: '#ececf1' }),
      label(X(v), H - B + 16, num(v), 'middle', SMALL, COLORS.axis),
    ]),
    ...yt.flatMap((v) => [
      s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: '#ececf1' }),
      label(L - 6, Y(v) + 4, num(v), 'end', SMALL, COLORS.axis),
    ]),
    s('line', { x1: L, x2: L, y1: T, y2: H - B, stroke: COLORS.axis }),
    s('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: COLORS.axis }),
    s('line', {
      x1: X(means.x),
      x2: X(means.x),
      y1: T,
      y2: H - B,
      stroke: COLORS.axis,
      'stroke-dasharray': '5 4',
    }),
    s('line', {
      x1: L,
      x2: W - R,
      y1: Y(means.y),
      y2: Y(means.y),
      stroke: COLORS.axis,
      'stroke-dasharray': '5 4',
    }),
    label(W - R, H - 6, fit(names.x, W - L - R), 'end', SMALL, COLORS.ink),
    label(0, 14, fit(names.y, W), 'start', SMALL, COLORS.ink),
  ];
  // Each point's label beside it, on whichever side is free (else where it overlaps least).
  const taken = [];
  const overlap = (a, b) =>
    Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) *
    Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const order = [...points].sort((a, b) => Number(!!b.mark) - Number(!!a.mark));
  for (const p of order) {
    const cx = X(p.x);
    const cy = Y(p.y);
    const r = p.mark ? 8 : 6;
    taken.push({ x: cx - r, y: cy - r, w: 2 * r, h: 2 * r });
  }
  for (const p of order) {
    const cx = X(p.x);
    const cy = Y(p.y);
    const r = p.mark ? 8 : 6;
    const w = textWidth(p.label) + 2;
    const options = [
      { x: cx + r + 3, y: cy - 8, anchor: 'start' },
      { x: cx - r - 3 - w, y: cy - 8, anchor: 'end' },
      { x: cx - w / 2, y: cy - r - 18, anchor: 'middle' },
      { x: cx - w / 2, y: cy + r + 2, anchor: 'middle' },
    ]
      .map((o) => ({ ...o, box: { x: o.x, y: o.y, w, h: 16 } }))
      .filter(
        (o) => o.box.x >= 0 && o.box.x + w <= W && o.box.y >= T - 14 && o.box.y + 16 <= H - B + 2,
      );
    const best = options.reduce(
      (/** @type {null | (typeof options[number] & {cost: number})} */ a, o) => {
        const cost = taken.reduce((c, t) => c + overlap(o.box, t), 0);
        return a && a.cost <= cost ? a : { ...o, cost };
      },
      null,
    ) ?? { x: cx + r + 3, y: cy - 8, anchor: 'start', box: { x: cx + r + 3, y: cy - 8, w, h: 16 } };
    taken.push(best.box);
    const tx =
      best.anchor === 'start'
        ? best.box.x
        : best.anchor === 'end'
          ? best.box.x + w
          : best.box.x + w / 2;
    marks.push(
      s('circle', {
        cx,
        cy,
        r,
        fill: p.mark ? COLORS.bad : COLORS.good,
        stroke: p.mark ? COLORS.ink : '#fff',
        'stroke-width': p.mark ? 2 : 1,
        class: p.mark ? 'mark' : null,
      }),
      s(
        'text',
        {
          x: tx,
          y: best.box.y + 13,
          'text-anchor': best.anchor,
          'font-size': FONT,
          'font-weight': p.mark ? 700 : null,
          fill: COLORS.ink,
        },
        p.label,
      ),
    );
  }
  return svg(W, H, alt, marks);
}

/**
 * A value per period on −100…100 [{label, value, lo, hi, marked}]: the line
 * through the values, its interval as a band, each `marked` point (a
 * significant change) circled in vermillion. Period labels are thinned to fit.
 */
export function trendLine(rows, alt, width) {
  const W = widthOf(width);
  const narrow = W < NARROW;
  const H = narrow ? 220 : 260;
  const L = 40;
  const R = 14;
  const T = 14;
  const B = 28;
  const known = rows.filter((r) => r.value != null);
  const lows = known.map((r) => clampNps(r.lo ?? r.value));
  const highs = known.map((r) => clampNps(r.hi ?? r.value));
  const yt = ticks(Math.min(0, ...lows), Math.max(0, ...highs), narrow ? 4 : 5).filter(
    (v) => v >= -100 && v <= 100,
  );
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const step = (W - L - R) / Math.max(1, rows.length);
  const X = (i) => L + (i + 0.5) * step;
  const Y = (v) => T + (1 - (clampNps(v) - y0) / (y1 - y0 || 1)) * (H - T - B);
  const marks = yt.flatMap((v) => [
    s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: v === 0 ? COLORS.axis : '#ececf1' }),
    label(L - 6, Y(v) + 4, num(v), 'end', SMALL, COLORS.axis),
  ]);
  // Runs of consecutive periods with a value: a band and a line each.
  const runs = [];
  rows.forEach((r, i) => {
    if (r.value == null) return;
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === i - 1) last.push(i);
    else runs.push([i]);
  });
  for (const run of runs) {
    const top = run.map((i) => `${X(i).toFixed(1)},${Y(rows[i].hi ?? rows[i].value).toFixed(1)}`);
    const bottom = run
      .map((i) => `${X(i).toFixed(1)},${Y(rows[i].lo ?? rows[i].value).toFixed(1)}`)
      .reverse();
    marks.push(
      s('polygon', { points: [...top, ...bottom].join(' '), fill: 'rgba(0, 114, 178, 0.16)' }),
    );
    if (run.length > 1)
      marks.push(
        s('polyline', {
          points: run.map((i) => `${X(i).toFixed(1)},${Y(rows[i].value).toFixed(1)}`).join(' '),
          fill: 'none',
          stroke: COLORS.good,
          'stroke-width': 2.5,
        }),
      );
  }
  rows.forEach((r, i) => {
    if (r.value == null) return;
    marks.push(s('circle', { cx: X(i), cy: Y(r.value), r: 4, fill: COLORS.good }));
    if (r.marked)
      marks.push(
        s('circle', {
          cx: X(i),
          cy: Y(r.value),
          r: 9,
          fill: 'none',
          stroke: COLORS.bad,
          'stroke-width': 2.5,
          class: 'mark',
        }),
      );
  });
  // Period labels, every k-th so that they do not run into each other.
  const widest = Math.max(...rows.map((r) => textWidth(r.label, SMALL)), 1);
  const every = Math.max(1, Math.ceil((widest + 8) / step));
  rows.forEach((r, i) => {
    const half = textWidth(r.label, SMALL) / 2;
    if (i % every === 0)
      marks.push(
        label(
          Math.min(W - half, Math.max(half, X(i))),
          H - 8,
          r.label,
          'middle',
          SMALL,
          COLORS.axis,
        ),
      );
  });
  marks.push(s('line', { x1: L, x2: L, y1: T, y2: H - B, stroke: COLORS.axis }));
  return svg(W, H, alt, marks);
}

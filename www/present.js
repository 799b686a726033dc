// How the reports show their figures. The main page's report and the analyst
// dashboard both lay numbers out through this one module, so the same figure
// reads the same on both (issue 16: they disagreed on colours, on the order of
// the satisfaction table's columns and on decimals). The figures themselves
// come from the core; this decides only how they are written and coloured.

/** NPS groups and satisfaction, colour-blind safe (Okabe–Ito); style.css's --promoter/--passive/--detractor are the same (a test checks). */
export const COLORS = {
  good: '#0072B2', // blue: promoters, satisfied
  middle: '#8C8C8C', // grey: passives, neutral
  bad: '#D55E00', // vermillion: detractors, dissatisfied
  ink: '#1b1b1f',
  axis: '#6b6b75',
};

/** A typographic minus sign. */
export const minus = (s) => s.replace('-', '\u2212');

/** A figure to `d` decimals (2, as the command-line report prints), "—" when it has no value. */
export const num = (x, d = 2) => (x == null || !Number.isFinite(x) ? '—' : minus(x.toFixed(d)));

/** A percentage to two decimals. */
export const pct = (x) => (x == null || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}%`);

/** "p < 0.001" or "p = 0.042": the relation belongs to the number. */
export const pText = (p, name = 'p') =>
  p == null ? `${name} = —` : p < 0.001 ? `${name} < 0.001` : `${name} = ${p.toFixed(3)}`;

/** The formula's interval can pass ±100 for small or extreme groups; show it within the scale. */
export const clampNps = (x) => Math.max(-100, Math.min(100, x));

/** The satisfaction table's columns after the item, in order (the command-line report's order). */
export const SAT_COLUMNS = ['sat.valid', 'sat.top', 'sat.bottom', 'sat.mean', 'sat.index'];

/** One satisfaction item's cells, in SAT_COLUMNS' order. */
export const satisfactionCells = (s) => [
  String(s.n),
  pct(s.pct_top),
  pct(s.pct_bottom),
  num(s.mean),
  num(s.index),
];

// The comparison with the tool people use today, for bench/run.mjs: SurveyJS
// Dashboard (npm survey-analytics, with survey-core; bench-only dev
// dependencies, never loaded by a page of www/) on the same rows, in the same
// page. Runs in the browser: bench/run.mjs imports it from /bench/ and the
// bench's server mounts node_modules/ at /node_modules/.
//
// Only SurveyJS's figures are timed, never its charts: each visualizer's
// getCalculatedValues() (the counting it draws its plotly charts from), each
// time after dropping the visualizer's cache of them. The visualizers used are
// the ones its dashboard builds for these questions: NpsVisualizer for Q17,
// SelectBase for each single-choice question, and PivotModel for a cross-tab
// (its only two-question visualizer: counts, no tests, no percentages).

/** Loads SurveyJS's UMD builds once (plain same-origin scripts: the pages' CSP allows them, an import map would be inline). */
export async function load() {
  if (globalThis.SurveyAnalyticsCore) return globalThis.SurveyAnalyticsCore;
  for (const src of [
    '/node_modules/survey-core/survey.core.min.js',
    '/node_modules/survey-analytics/survey.analytics.core.min.js',
  ]) {
    await new Promise((ok, fail) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = ok;
      s.onerror = () => fail(new Error(`cannot load ${src}`));
      document.head.append(s);
    });
  }
  return globalThis.SurveyAnalyticsCore;
}

/** The SurveyJS form model of manyi's instrument: a radiogroup per single-choice question, a 0–10 rating for the NPS question. */
export function model(instrument) {
  const elements = instrument.questions.map((q) =>
    q.kind === 'single'
      ? { type: 'radiogroup', name: q.id, choices: q.options.map((o) => o.code) }
      : { type: 'rating', name: q.id, rateMin: q.min, rateMax: q.max },
  );
  return new globalThis.Survey.Model({ elements });
}

/**
 * SurveyJS's data from the JavaScript side's rows (bench/js-impl.mjs): one
 * object per response, unanswered questions left out and the scale as a
 * number, as survey-core's `survey.data` holds them.
 */
export function rowsFrom(rows, instrument) {
  const ids = instrument.questions.map((q) => [q.id, q.kind !== 'single']);
  return rows.map((r) => {
    const o = {};
    for (const [id, numeric] of ids) {
      const v = r[id];
      if (v !== '' && v !== undefined) o[id] = numeric ? Number(v) : v;
    }
    return o;
  });
}

/**
 * The visualizers SurveyJS Dashboard builds for these questions, made once:
 * NpsVisualizer for the NPS question, SelectBase for each single-choice
 * question, PivotModel for `row` × `col`. Their figures are computed by
 * `npsOf`, `frequenciesOf` and `crosstabOf`, each time afresh.
 */
export function visualizers(survey, data, { npsId, singles, row, col }) {
  const A = globalThis.SurveyAnalyticsCore;
  const q = (id) => survey.getQuestionByName(id);
  const pivot = new A.PivotModel([q(row), q(col)], data);
  pivot.setAxisQuestions(row, col);
  return {
    nps: new A.NpsVisualizer(q(npsId), data),
    singles: singles.map((id) => new A.SelectBase(q(id), data)),
    pivot,
    rowQ: q(row),
    colQ: q(col),
    destroy() {
      for (const v of [this.nps, ...this.singles, this.pivot]) v.destroy();
    },
  };
}

/** A visualizer's figures computed afresh: its cache of them dropped first (it keeps them until its data changes). */
function fresh(v) {
  v._calculationsCache = undefined;
  return v.getCalculatedValues();
}

/** The NPS counts: {detractors, passive, promoters, total}. */
export const npsOf = (vs) => fresh(vs.nps);

/** The frequency table of every single-choice question: {id: counts in option order}. */
export async function frequenciesOf(vs) {
  const out = {};
  for (const v of vs.singles) {
    const values = v.getValues();
    const counts = (await fresh(v))[0];
    const byCode = Object.fromEntries(values.map((code, i) => [code, counts[i]]));
    out[v.question.name] = v.question.choices.map((c) => byCode[c.value] ?? 0);
  }
  return out;
}

/** The cross-tab as PivotModel counts it: counts[i][j], i an option of the row question, j one of the column question. */
export async function crosstabOf(vs) {
  const v = vs.pivot;
  // One series per option of the column question, one value per option of the row question (both in PivotModel's order).
  const stats = await fresh(v);
  const values = v.getValues();
  const series = v.getSeriesValues();
  return vs.rowQ.choices.map((r) =>
    vs.colQ.choices.map((c) => stats[series.indexOf(c.value)]?.[values.indexOf(r.value)] ?? 0),
  );
}

// The device's questionnaires as the options of a select, in the core's order
// (the report page and the dashboard offer the choice when there are several).
import { h } from './dom.js';

/**
 * One option per questionnaire of the core's summary `sets`, `chosen` selected;
 * `tr` and `textOf` are the page's translation and text pickers.
 */
export function setOptions(sets, chosen, tr, textOf) {
  return sets.map((s) =>
    h('option', {
      value: s.fingerprint,
      selected: s.fingerprint === chosen,
      text: tr(s.ambiguous ? 'device.setAmbiguous' : 'device.set', {
        title: textOf(s.title),
        id: s.id,
        version: s.version,
        n: s.n,
        fp: s.fingerprint.slice(0, 8),
      }),
    }),
  );
}

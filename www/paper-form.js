// The printable paper questionnaire, made from the instrument: a box for the
// form number, and every option with the letter the entry screen expects
// (entry.html keys exactly these letters, and 0–10 for a scale). One A4
// sheet for the built-in 17 questions; Chinese by default, English switchable.
import { initialLang, instrumentProblem, saveLang, t, translatePage } from './i18n.js';
import './texts.js';
import { $, h, labelLangButton } from './dom.js';
import { loadInstrument } from './instrument.js';
import { kioskBounce } from './lock.js';

// A blank form holds no data, but a kiosk never leaves its survey.
await kioskBounce();

/** @type {'zh-CN' | 'en'} */
let lang = initialLang();
let instrument;

const tr = (key, vars) => t(lang, key, vars);
const textOf = (text) => text?.[lang] ?? text?.['zh-CN'] ?? '';

const box = () => h('span', { class: 'box', 'aria-hidden': 'true' });

function question(q, i) {
  const choices =
    q.kind === 'scale'
      ? h(
          'div',
          { class: 'scale' },
          h(
            'ol',
            { class: 'points' },
            Array.from({ length: q.max - q.min + 1 }, (_, k) =>
              h(
                'li',
                { 'data-code': String(q.min + k) },
                box(),
                h('b', { text: String(q.min + k) }),
              ),
            ),
          ),
          h(
            'p',
            { class: 'anchors' },
            h('span', { text: `${q.min} = ${textOf(q.min_label)}` }),
            h('span', { text: `${q.max} = ${textOf(q.max_label)}` }),
          ),
        )
      : h(
          'ul',
          { class: 'options' },
          q.options.map((o) =>
            h(
              'li',
              { 'data-code': o.code },
              box(),
              h('b', { class: 'letter', text: o.code }),
              ' ',
              textOf(o.label),
            ),
          ),
        );
  return h(
    'li',
    { class: 'question', 'data-question': q.id },
    h(
      'p',
      { class: 'qtext' },
      h('span', { class: 'qn', text: `${i + 1}.` }),
      ' ',
      textOf(q.text),
      q.required ? h('span', { class: 'required', text: ` ${tr('paper.required')}` }) : null,
    ),
    choices,
  );
}

function render() {
  translatePage(lang);
  labelLangButton(lang);
  if (!instrument) return;
  document.title = `${textOf(instrument.title)} · ${tr('paper.title')}`;
  $('#sheet').replaceChildren(
    h(
      'header',
      { class: 'sheet-head' },
      h('h1', { id: 'form-title', text: textOf(instrument.title) }),
      h(
        'div',
        { class: 'form-id' },
        h('span', { class: 'form-id-label', text: tr('paper.formId') }),
        h(
          'span',
          { class: 'form-id-cells', 'aria-hidden': 'true' },
          Array.from({ length: 10 }, () => h('span', { class: 'cell' })),
        ),
      ),
    ),
    h('p', { class: 'instructions', text: tr('paper.instructions') }),
    h('ol', { class: 'questions' }, instrument.questions.map(question)),
    h('p', { class: 'thanks', text: tr('paper.thanks') }),
  );
}

$('#lang').addEventListener('click', () => {
  lang = lang === 'en' ? 'zh-CN' : 'en';
  saveLang(lang);
  render();
});
$('#print').addEventListener('click', () => print());

try {
  instrument = await loadInstrument();
  render();
  document.documentElement.dataset.ready = 'true';
} catch (e) {
  render();
  $('#sheet').replaceChildren(
    h('p', {
      class: 'error',
      role: 'alert',
      text: tr('paper.failed', { what: instrumentProblem(lang, e) }),
    }),
  );
  document.documentElement.dataset.ready = 'error';
}

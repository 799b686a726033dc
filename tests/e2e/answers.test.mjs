// www/answers.js: how every page writes an answer code and reads a keystroke
// as one (issue 20: the entry screen had this parser twice, the survey a third
// with another rule, and four pages their own MISSING). Plain module, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const { MISSING, answerKeys, codeMark, codeMeaning, keyAnswer } =
  await import('../../www/answers.js');
const BUILTIN = JSON.parse(
  readFileSync(new URL('../../instruments/zg-x-branch-2023.json', import.meta.url), 'utf8'),
);
const [q1, , , q4] = BUILTIN.questions;
const q17 = BUILTIN.questions[16];
const textOf = (t) => t['zh-CN'];

test("MISSING is the core's code for not answered", () => {
  const src = readFileSync(new URL('../../src/core/instrument/mod.rs', import.meta.url), 'utf8');
  assert.match(src, /pub const MISSING: u8 = u8::MAX;/);
  assert.equal(MISSING, 255);
});

test('a code is written as on the paper form and read in words', () => {
  assert.deepEqual(
    [codeMark(q1, 1), codeMark(q17, 10), codeMark(q17, MISSING), codeMark(q17, null)],
    ['B', '10', '·', ''],
  );
  assert.deepEqual(
    [codeMeaning(q1, 1, textOf), codeMeaning(q17, 0, textOf), codeMeaning(q1, MISSING, textOf)],
    ['女', '0', ''],
  );
  assert.deepEqual([answerKeys(q1), answerKeys(q4), answerKeys(q17)], ['A–B', 'A–H', '0–10']);
});

test('keys answer a single-choice question by its letter, any case; others are refused', () => {
  assert.deepEqual(keyAnswer(q4, 'h'), { code: 7, wait: false, digits: '' });
  assert.deepEqual(keyAnswer(q4, 'I'), { refused: 'I' });
  assert.equal(keyAnswer(q4, 'Enter'), null);
  assert.equal(keyAnswer(q4, ' '), null, 'a space is not an answer on the survey');
  assert.deepEqual(keyAnswer(q4, ' ', '', { blank: true }), {
    code: MISSING,
    wait: false,
    digits: '',
  });
  assert.deepEqual(keyAnswer(q4, '.', '', { blank: true }), {
    code: MISSING,
    wait: false,
    digits: '',
  });
});

test('digits answer a scale: 1 waits for a possible 10, 0 and 2–9 answer at once, 11 is refused', () => {
  assert.deepEqual(keyAnswer(q17, '1'), { code: 1, wait: true, digits: '1' });
  assert.deepEqual(keyAnswer(q17, '0', '1'), { code: 10, wait: false, digits: '' });
  assert.deepEqual(keyAnswer(q17, '1', '1'), { refused: '11' });
  assert.deepEqual(keyAnswer(q17, '0'), { code: 0, wait: false, digits: '' });
  assert.deepEqual(keyAnswer(q17, '7'), { code: 7, wait: false, digits: '' });
  assert.deepEqual(keyAnswer(q17, 'x'), { refused: 'x' });
  // A scale whose numbers start below min: "1" is only the start of 10–15.
  const q = { kind: 'scale', min: 5, max: 15 };
  assert.deepEqual(keyAnswer(q, '1'), { code: null, wait: true, digits: '1' });
  assert.deepEqual(keyAnswer(q, '2', '1'), { code: 7, wait: false, digits: '' });
  assert.deepEqual(keyAnswer(q, '3'), { refused: '3' });
  assert.deepEqual(keyAnswer({ kind: 'scale', min: 0, max: 100 }, '0', '10'), {
    code: 100,
    wait: false,
    digits: '',
  });
});

test('no page keeps its own copy of the code rules', async () => {
  const { readdirSync } = await import('node:fs');
  const www = new URL('../../www/', import.meta.url);
  for (const f of readdirSync(www).filter((f) => f.endsWith('.js') && f !== 'answers.js')) {
    const src = readFileSync(new URL(f, www), 'utf8');
    assert.doesNotMatch(src, /MISSING = 255/, `${f} defines MISSING`);
    assert.doesNotMatch(src, /o\.code\.toLowerCase\(\) === /, `${f} reads answer keys itself`);
  }
});

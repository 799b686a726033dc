// End to end: answers from a customer's own phone reach the branch with no
// server. A staff device makes a branch key and issues invitations; a customer
// (another browser profile, a phone viewport) opens one, answers and gets a
// response code; the staff device takes the pasted code once and refuses a
// repeat, a tampered code, a code for another questionnaire version, an
// invitation signed with another key and a forged one, each with its reason;
// a relay that rewrites a code's answers without the link's secret is refused
// and the honest code is still taken.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, idbAll, idbRevealed, launch, openStaff } from './browser.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
const BUILTIN = readFileSync(
  new URL('../../instruments/zg-x-branch-2023.json', import.meta.url),
  'utf8',
);
// Answers of the thesis data's first row (www/demo/zg-x-branch-2023.csv, X2023-0001).
const ROW = ['A', 'A', 'C', 'G', 'A', 'D', 'H', 'C', 'E', 'B', 'D', 'C', 'C', 'C', 'C', 'B', '3'];
const CODES = ROW.map((a, i) => (i === 16 ? Number(a) : a.charCodeAt(0) - 65));
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

/** A staff device: its own profile, the invitations page, a branch key made, `n` invitations issued. */
async function staffDevice(n = 2) {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await openStaff(page, `${env.url}invite.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.locator('#make-key').click();
  await page.locator('#make-key[hidden]').waitFor({ state: 'attached' });
  await page.locator('#count').fill(String(n));
  await page.locator('#issue-go').click();
  await page
    .locator('.slip')
    .nth(n - 1)
    .waitFor();
  const links = await page.locator('.slip-link a').evaluateAll((as) => as.map((a) => a.href));
  return { context, page, errors, links };
}

test('making the branch key by keyboard leaves the focus on what it says, not on the page', async () => {
  const context = await env.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await openStaff(page, `${env.url}invite.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  await page.locator('#make-key').focus();
  await page.keyboard.press('Enter');
  await page.locator('#make-key[hidden]').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.activeElement?.id === 'key-status', null, {
    timeout: 5000,
  });
  await context.close();
});

test('a batch of invitations is 1 to 200: another number is refused, naming it, and nothing is issued', async () => {
  const { context, page, errors } = await staffDevice(3);
  assert.equal(await page.locator('.slip').count(), 3);
  assert.equal(await page.locator('#count').getAttribute('max'), '200');
  for (const [value, zh, en] of [
    [
      '500',
      '数量须为 1–200 的整数，而不是“500”',
      'The number of invitations must be a whole number, 1–200, not “500”',
    ],
    [
      '0',
      '数量须为 1–200 的整数，而不是“0”',
      'The number of invitations must be a whole number, 1–200, not “0”',
    ],
    ['', '请填写要发放的邀请数量（1–200）', 'Type how many invitations to issue (1–200)'],
  ]) {
    await page.locator('#count').fill(value);
    await page.locator('#issue-go').click();
    await page.waitForFunction(
      (t) => document.querySelector('#issue-status').textContent === t,
      zh,
    );
    // The last batch's slips stay; nothing new was stored.
    assert.equal(await page.locator('.slip').count(), 3);
    assert.equal((await idbAll(page, 'invitations')).length, 3);
    assert.equal(await page.locator('#count').getAttribute('aria-invalid'), 'true');
    await page.locator('#lang').click();
    // (The status follows the language once the key line is drawn again.)
    await page.waitForFunction(
      (t) => document.querySelector('#issue-status').textContent === t,
      en,
    );
    await page.locator('#lang').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  }
  await page.locator('#count').fill('2');
  await page.locator('#issue-go').click();
  await page.waitForFunction(() => document.querySelectorAll('.slip').length === 2);
  assert.equal(await page.locator('#count').getAttribute('aria-invalid'), null);
  assert.equal((await idbAll(page, 'invitations')).length, 5);
  assert.deepEqual(errors, []);
  await context.close();
});

/** A customer's phone: opens the link, answers every question, submits; returns the code shown. */
async function customerAnswers(link) {
  const context = await env.newContext(PHONE);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(link);
  for (let n = 1; n <= 17; n++) {
    await page.locator(`html[data-screen="q${n}"][data-settled]`).waitFor();
    await page.locator(`#screen .option[data-code="${ROW[n - 1]}"]`).tap();
  }
  await page.locator('html[data-screen="review"][data-settled]').waitFor();
  await page.locator('#submit').tap();
  await page.locator('#response-code').waitFor();
  const code = await page.locator('#response-code').textContent();
  return { context, page, errors, code };
}

async function paste(page, text) {
  // Forget the previous outcome, so that what is read below is this paste's.
  await page.evaluate(() => {
    document.querySelector('#intake-status').textContent = '';
    document.querySelector('#results').replaceChildren();
  });
  await page.locator('#codes').fill(text);
  await page.locator('#check').click();
  await page.locator('#intake-results').waitFor();
  await page.waitForFunction(() => document.querySelector('#intake-status').textContent.length > 0);
  return page
    .locator('#intake-results tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => ({ outcome: tr.dataset.outcome, text: tr.cells[1].textContent })),
    );
}

/** The customer's phone never had a staff passphrase: its records are stored in clear. */
const idb = idbAll;
/** The staff device's records as its unlocked page reads them (sealed at rest). */
const staffIdb = idbRevealed;

/** Makes a response code in the customer's page through the core, as a forger with the public code could. */
function encodeIn(page, codes, token, secret, instrumentJson) {
  return page.evaluate(
    async ([c, tok, sec, inst]) => {
      const m = await import('/pkg/page/manyi_page.js');
      await m.default();
      return m.encodeResponse(Uint8Array.from(c), tok, sec, inst ?? undefined);
    },
    [codes, token, secret, instrumentJson ?? null],
  );
}

/** The token and the answer secret of an invitation link. */
function parts(link) {
  const url = new URL(link);
  return {
    token: url.searchParams.get('inv'),
    secret: new URLSearchParams(url.hash.slice(1)).get('k'),
  };
}

test('a customer answers from an invitation, and the branch takes the code once', async () => {
  const staff = await staffDevice(2);
  assert.equal(staff.links.length, 2);
  // The answer secret rides in the fragment, which the browser never sends to a server.
  assert.match(staff.links[0], /\/survey\.html\?inv=[0-9A-Z]{24}#k=[0-9A-Z]{16}$/);
  assert.notEqual(staff.links[0], staff.links[1]);
  assert.equal(await staff.page.locator('.slip svg.qr[role="img"]').count(), 2);
  assert.deepEqual(await axe(staff.page), []);

  const customer = await customerAnswers(staff.links[0]);
  // 45 characters: nine groups of five.
  assert.match(customer.code, /^2[0-9A-Z]{4}(-[0-9A-Z]{5}){8}$/);
  assert.equal(await customer.page.locator('.code-panel svg.qr').count(), 1);
  assert.deepEqual(await axe(customer.page), []);
  // The phone keeps its answers, and a reload shows the same code.
  const [mine] = await idb(customer.page, 'responses');
  assert.deepEqual(mine.codes, CODES);
  await customer.page.reload();
  await customer.page.locator('#response-code').waitFor();
  assert.equal(await customer.page.locator('#response-code').textContent(), customer.code);

  // The code arrives inside a chat message.
  const first = await paste(staff.page, `王女士 10:02\n我的满意度调查答卷码：${customer.code}\n`);
  assert.deepEqual(
    first.map((r) => r.outcome),
    ['accepted'],
  );
  const stored = await staffIdb(staff.page, 'responses');
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0].codes, CODES);
  assert.equal(stored[0].extras.mode, 'online');
  const token = new URL(staff.links[0]).searchParams.get('inv');
  assert.equal(stored[0].extras.invitation, token);
  // Taken once only.
  const again = await paste(staff.page, customer.code);
  assert.deepEqual(
    again.map((r) => r.outcome),
    ['used'],
  );
  assert.match(again[0].text, /已经提交过/);
  assert.equal((await staffIdb(staff.page, 'responses')).length, 1);

  // Every single changed character is caught (one shown here; the property test
  // tries them all), and a code typed without its dashes is read all the same.
  const plain = customer.code.replace(/-/g, '');
  const i = 8;
  const changed =
    plain.slice(0, i) + ALPHABET[(ALPHABET.indexOf(plain[i]) + 1) % 32] + plain.slice(i + 1);
  const tampered = await paste(staff.page, changed);
  assert.deepEqual(
    tampered.map((r) => r.outcome),
    ['bad_checksum'],
  );

  // A forged invitation: our key's id, a made-up signature, a valid check character.
  const forgedToken =
    token.slice(0, 20) +
    [...token.slice(20)].map((c) => ALPHABET[(ALPHABET.indexOf(c) + 7) % 32]).join('');
  const forged = await encodeIn(customer.page, CODES, forgedToken, parts(staff.links[0]).secret);
  assert.deepEqual(
    (await paste(staff.page, forged)).map((r) => r.outcome),
    ['forged_token'],
  );

  // A code for another version of the questionnaire.
  // (Version 3 revises only version 1, so a code of version 2 is not its.)
  const v3 = BUILTIN.replace('"version": "2"', '"version": "3"');
  assert.notEqual(v3, BUILTIN);
  const otherVersion = await encodeIn(
    customer.page,
    CODES,
    parts(staff.links[1]).token,
    parts(staff.links[1]).secret,
    v3,
  );
  assert.deepEqual(
    (await paste(staff.page, otherVersion)).map((r) => r.outcome),
    ['unknown_version'],
  );

  // An invitation from another branch's key.
  const elsewhere = await staffDevice(1);
  const stranger = await customerAnswers(elsewhere.links[0]);
  const foreign = await paste(staff.page, stranger.code);
  assert.deepEqual(
    foreign.map((r) => r.outcome),
    ['foreign_token'],
  );
  assert.match(foreign[0].text, /不是本网点密钥签发/);

  // Several at once: the second invitation's answer is taken, the one taken before refused,
  // and the same code again in this paste listed last as a repeat (not checked twice).
  const second = await customerAnswers(staff.links[1]);
  const batch = await paste(staff.page, `${second.code}\n${customer.code}\n${second.code}`);
  assert.deepEqual(
    batch.map((r) => r.outcome),
    ['accepted', 'used', 'repeat'],
  );
  assert.equal((await staffIdb(staff.page, 'responses')).length, 2);
  const used = (await staffIdb(staff.page, 'invitations')).filter((inv) => inv.usedBy);
  assert.equal(used.length, 2);
  assert.deepEqual(await axe(staff.page), []);

  for (const d of [staff, customer, elsewhere, stranger, second]) {
    assert.deepEqual(d.errors, []);
    await d.context.close();
  }
});

test('a code sent twice in one chat is taken once, its repeat listed as such and not counted as refused', async () => {
  const staff = await staffDevice(1);
  const customer = await customerAnswers(staff.links[0]);
  const again = customer.code.replaceAll('-', '').toLowerCase();
  const rows = await paste(staff.page, `答卷码 ${customer.code}\n再发一遍：${again}`);
  assert.deepEqual(
    rows.map((r) => r.outcome),
    ['accepted', 'repeat'],
  );
  assert.equal(
    await staff.page.locator('#intake-status').textContent(),
    '收下 1 份，拒收 0 份。另有 1 个重复的答卷码，只算一次。',
  );
  assert.equal(
    await staff.page
      .locator('#intake-results tr[data-outcome="repeat"] td:last-child')
      .textContent(),
    '与上面的答卷码相同（重复发送），只算一次，不算拒收',
  );
  assert.equal((await staffIdb(staff.page, 'responses')).length, 1);
  await staff.page.locator('#lang').click();
  await staff.page.waitForFunction(() =>
    document.querySelector('#intake-status').textContent.startsWith('1 taken'),
  );
  assert.equal(
    await staff.page.locator('#intake-status').textContent(),
    '1 taken, 0 refused. 1 repeated code counted once.',
  );
  assert.match(
    await staff.page.locator('#key-status').textContent(),
    /; 1 invited response taken\.$/,
  );
  assert.deepEqual(staff.errors, []);
  await customer.context.close();
  await staff.context.close();
});

test("on the customer's phone the response code wraps only between its groups of five", async () => {
  const staff = await staffDevice(1);
  const customer = await customerAnswers(staff.links[0]);
  for (const width of [320, 360, 390]) {
    await customer.page.setViewportSize({ width, height: 800 });
    // The code's characters, line by line as laid out.
    const lines = await customer.page.locator('#response-code').evaluate((p) => {
      const text = p.firstChild;
      const rows = new Map();
      for (let i = 0; i < text.length; i++) {
        const r = document.createRange();
        r.setStart(text, i);
        r.setEnd(text, i + 1);
        const top = Math.round(r.getBoundingClientRect().top);
        rows.set(top, (rows.get(top) ?? '') + text.data[i]);
      }
      return [...rows.values()];
    });
    assert.ok(lines.length > 1, `${width} px: ${lines}`);
    for (const line of lines.slice(0, -1))
      assert.match(line, /-$/, `${width} px: ${lines.join(' | ')}`);
    assert.equal(lines.join(''), customer.code);
  }
  await customer.context.close();
  await staff.context.close();
});

test('on a phone the intake results stay within the screen, a code taken and a code refused alike', async () => {
  const staff = await staffDevice(2);
  const customer = await customerAnswers(staff.links[0]);
  for (const width of [360, 390]) {
    await staff.page.setViewportSize({ width, height: 800 });
    // Taken (first time) or already used (second), then with a mangled code beside it.
    await paste(staff.page, `${customer.code}\n${customer.code.slice(0, -3)}ZZZ`);
    const wide = await staff.page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(wide[0] <= wide[1], `${width} px: the page is ${wide[0]} px wide`);
  }
  assert.deepEqual(staff.errors, []);
  await customer.context.close();
  await staff.context.close();
});

test("a pasted chat thread: only code-shaped strings are checked; a link's token and an order number are listed apart as not codes", async () => {
  const staff = await staffDevice(1);
  const customer = await customerAnswers(staff.links[0]);
  const order = '20261203000012345678';
  const thread = `网点 09:58\n您好，请点击 ${staff.links[0]} 作答。\n王女士 10:01\n好的，订单号 ${order}\n王女士 10:02\n我的答卷码：${customer.code}\n谢谢`;
  const rows = await paste(staff.page, thread);
  assert.deepEqual(
    rows.map((r) => r.outcome),
    ['accepted', 'not_code', 'not_code'],
  );
  assert.match(
    await staff.page.locator('#intake-status').textContent(),
    /^收下 1 份，拒收 0 份。另有 2 段/,
  );
  const shown = await staff.page.locator('#intake-results tbody tr .code').allTextContents();
  assert.deepEqual(shown.slice(1), [
    parts(staff.links[0])
      .token.match(/.{1,5}/g)
      .join('-'),
    order.match(/.{1,5}/g).join('-'),
  ]);
  assert.match(rows[1].text, /不是答卷码/);
  // Only the link and the order number: nothing is a code, nothing is refused.
  const none = await paste(staff.page, `${staff.links[0]} ${order}`);
  assert.deepEqual(
    none.map((r) => r.outcome),
    ['not_code', 'not_code'],
  );
  assert.match(await staff.page.locator('#intake-status').textContent(), /没有找到答卷码/);

  // On a phone, in both languages: codes wrap between groups of five, never one character a line or mid-group.
  await paste(staff.page, `${customer.code}\n${order}`);
  for (const width of [360, 390]) {
    await staff.page.setViewportSize({ width, height: 800 });
    for (const lang of ['zh-CN', 'en']) {
      if ((await staff.page.locator('html').getAttribute('lang')) !== lang) {
        // The switch re-renders the results last, after the key and the slips
        // (an async handler): measure the table once it is in the new language.
        const caption = await staff.page.locator('#intake-results caption').textContent();
        await staff.page.locator('#lang').click();
        await staff.page.waitForFunction(
          (before) => document.querySelector('#intake-results caption')?.textContent !== before,
          caption,
        );
      }
      const where = `${width} px, ${lang}`;
      assert.ok(
        await staff.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth),
        `no horizontal overflow at ${where}`,
      );
      const groups = await staff.page
        .locator('#intake-results tbody tr')
        .first()
        .locator('.group')
        .evaluateAll((els) =>
          els.map((e) => {
            const r = e.getClientRects();
            return { lines: r.length, width: e.getBoundingClientRect().width, text: e.textContent };
          }),
        );
      assert.equal(groups.length, 9, where);
      for (const g of groups) assert.equal(g.lines, 1, `${g.text} on one line at ${where}`);
      // Three groups a line: nine groups on three lines.
      const tops = await staff.page
        .locator('#intake-results tbody tr')
        .first()
        .locator('.group')
        .evaluateAll(
          (els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().top))).size,
        );
      assert.ok(tops <= 3, `the code takes ${tops} lines at ${where}`);
      const small = await staff.page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter(
            (e) =>
              e.checkVisibility() &&
              e.childNodes.length &&
              [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) &&
              parseFloat(getComputedStyle(e).fontSize) < 11,
          )
          .map((e) => e.className || e.tagName),
      );
      assert.deepEqual(small, [], `text under 11 px at ${where}`);
      assert.ok(
        !(await staff.page.locator('body').innerText()).includes('null'),
        `no "null" at ${where}`,
      );
      // The outcome follows the language too.
      assert.match(
        await staff.page.locator('#intake-status').textContent(),
        lang === 'en' ? /^0 taken, 1 refused\. 1 other/ : /^收下 0 份，拒收 1 份。另有 1 段/,
      );
      await staff.page.screenshot({
        path: `/tmp/survey-invite-${width}-${lang}.png`,
        fullPage: true,
      });
    }
  }
  assert.deepEqual(await axe(staff.page), []);
  for (const d of [staff, customer]) {
    assert.deepEqual(d.errors, []);
    await d.context.close();
  }
});

test('issued slips survive a reload and can be printed again, less the invitations already answered', async () => {
  const staff = await staffDevice(3);
  const before = staff.links;
  const customer = await customerAnswers(before[1]);
  await paste(staff.page, customer.code);
  await staff.page.reload();
  await staff.page.locator('html[data-ready="true"]').waitFor();
  await staff.page.locator('.slip').nth(1).waitFor();
  const after = await staff.page.locator('.slip-link a').evaluateAll((as) => as.map((a) => a.href));
  assert.deepEqual(
    after.sort(),
    [before[0], before[2]].sort(),
    'the same links, secrets derived again from the key',
  );
  assert.match(await staff.page.locator('#issue-status').textContent(), /还有 2 个未回收/);
  assert.equal(await staff.page.locator('#print-slips').isDisabled(), false);
  // The store keeps the token, when it was issued and the link's base, never the secret.
  const stored = await staffIdb(staff.page, 'invitations');
  for (const inv of stored) assert.ok(!JSON.stringify(inv).includes(parts(before[0]).secret));
  await staff.page.locator('#lang').click();
  // (The switch redraws after the click returns: wait for it rather than race it.)
  await staff.page
    .locator('#issue-status', { hasText: /2 invitations of the last batch/ })
    .waitFor();
  assert.equal(await staff.page.locator('.slip svg.qr').count(), 2);
  assert.deepEqual(await axe(staff.page), []);
  for (const d of [staff, customer]) {
    assert.deepEqual(d.errors, []);
    await d.context.close();
  }
});

test('a relay cannot rewrite the answers of a code it passes on; the honest code is still taken', async () => {
  const staff = await staffDevice(1);
  const customer = await customerAnswers(staff.links[0]);
  const { token, secret } = parts(staff.links[0]);
  // The relay holds the code (so the token) and the page's own encoder, not the link.
  const promoter = [...CODES.slice(0, 16), 10];
  const guessed = secret.replace(/./g, (c) => ALPHABET[(ALPHABET.indexOf(c) + 1) % 32]);
  for (const guess of [guessed, '0'.repeat(16)]) {
    const rewritten = await encodeIn(customer.page, promoter, token, guess);
    const refused = await paste(staff.page, rewritten);
    assert.deepEqual(
      refused.map((r) => r.outcome),
      ['bad_seal'],
    );
    assert.match(refused[0].text, /封印/);
  }
  assert.equal(await staff.page.locator('#intake-results tbody tr').count(), 1);
  // Nothing was stored or used up: the customer's own code is taken.
  const honest = await paste(staff.page, customer.code);
  assert.deepEqual(
    honest.map((r) => r.outcome),
    ['accepted'],
  );
  // A link cut short (no fragment) says so on the phone before any question.
  const cut = await env.newContext(PHONE);
  const phone = await cut.newPage();
  await phone.goto(staff.links[0].split('#')[0]);
  await phone.locator('html[data-ready="error"]').waitFor();
  assert.match(await phone.locator('#screen [role="alert"]').textContent(), /邀请链接不完整/);
  for (const d of [staff, customer]) {
    assert.deepEqual(d.errors, []);
    await d.context.close();
  }
  await cut.close();
});

test('the branch key is made on the staff device, never in the page or its links', async () => {
  const a = await staffDevice(1);
  const b = await staffDevice(1);
  // As stored, the key itself is sealed: only its name and date are in clear.
  const rawOf = (page) =>
    idbAll(page, 'meta').then((rows) => rows.find((r) => r.key === 'branch-key').value);
  for (const d of [a, b]) {
    const raw = await rawOf(d.page);
    assert.deepEqual(Object.keys(raw).sort(), ['createdAt', 'name', 'sealed']);
    assert.ok(raw.sealed instanceof Object && raw.sealed.byteLength > 32, 'the sealed key');
  }
  // The unlocked staff page reads the key itself.
  const keyOf = (page) =>
    page.evaluate(async () => {
      const k = await (await import('/storage.js')).branchKey();
      return { name: k.name, bytes: Array.from(k.key) };
    });
  const [ka, kb] = [await keyOf(a.page), await keyOf(b.page)];
  assert.equal(ka.bytes.length, 32);
  assert.notDeepEqual(ka.bytes, kb.bytes, 'each device makes its own random key');
  // The link carries the signed token only, not the key.
  const hex = Buffer.from(ka.bytes).toString('hex').toUpperCase();
  assert.ok(!a.links[0].toUpperCase().includes(hex.slice(0, 16)));
  // The print views render.
  await a.page.emulateMedia({ media: 'print' });
  await a.page.evaluate(() => (document.body.dataset.print = 'slips'));
  assert.equal(await a.page.locator('#intake').isVisible(), false);
  assert.equal(await a.page.locator('.slip').first().isVisible(), true);
  const pdf = await a.page.pdf({ format: 'A4' });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  for (const d of [a, b]) {
    assert.deepEqual(d.errors, []);
    await d.context.close();
  }
});

test('printed, 8 slips fill one A4 page and 16 two, as the button says; a poster is a page each', async () => {
  const { context, page, errors } = await staffDevice(8);
  const pages = async (kind) => {
    await page.evaluate((k) => (document.body.dataset.print = k), kind);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  };
  await page.emulateMedia({ media: 'print' });
  assert.equal(await pages('slips'), 1, '8 slips');
  assert.equal(await pages('posters'), 8, '8 posters');
  await page.emulateMedia({ media: 'screen' });
  await page.locator('#count').fill('16');
  await page.locator('#issue-go').click();
  await page.waitForFunction(() => document.querySelectorAll('.slip').length === 16);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await pages('slips'), 2, '16 slips');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the camera add-on reads a response code from a drawn frame, as from a camera', async () => {
  const context = await env.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  await openStaff(page, `${env.url}invite.html`);
  await page.locator('html[data-ready="true"]').waitFor();
  const read = await page.evaluate(async () => {
    const main = await import('/pkg/page/manyi_page.js');
    await main.default();
    const text = '2ABCD-EFGHJ-KMNPQ-RSTVW-XYZ01-23456-789AB-CDEFG-HJKMN';
    const { size, modules } = main.qrCode(text);
    // Draw the code as a camera would see it: 6 px a module, a quiet zone, on a canvas.
    const scale = 6;
    const side = (size + 8) * scale;
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, side, side);
    ctx.fillStyle = '#000';
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        if (modules[y * size + x]) ctx.fillRect((x + 4) * scale, (y + 4) * scale, scale, scale);
    const rgba = ctx.getImageData(0, 0, side, side).data;
    const grey = new Uint8Array(side * side);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
    const camera = await import('/pkg/camera/manyi_camera.js');
    await camera.default();
    return { text, read: camera.decodeQr(side, side, grey) };
  });
  assert.deepEqual(read.read, [read.text]);
  await context.close();
});

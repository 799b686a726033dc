// The pages' words in Simplified Chinese (first) and English: the survey's here,
// so that a customer's phone loads only those; the staff screens' in texts.js,
// which those pages import. Question and option texts come from the
// instrument, not from here.

/** @typedef {'zh-CN' | 'en'} Lang */

const strings = {
  'zh-CN': {
    skip: '跳到正文',
    switchTo: 'English',
    switchLabel: 'Switch to English',
    'app.failed': '操作未完成：{what}。请重试；如仍失败，请告知工作人员。',
    'survey.saveFailed':
      '您的答卷未能保存在本机：{what}。答案都还在，请再点一次“提交”；如仍失败，请告知工作人员。',
    'survey.open': '填写满意度问卷',
    'survey.badLink': '邀请链接不完整，无法作答：请打开短信或二维码中的完整链接。（{what}）',
    'survey.foreignSource':
      '链接指定的问卷不是本站 instruments/ 文件夹中的文件，已拒绝载入（以防冒用本行网址的钓鱼问卷）',
    'survey.loading': '正在载入问卷…',
    'survey.progress': '第 {n} 题，共 {total} 题',
    'survey.back': '上一题',
    'survey.next': '下一题',
    'survey.toReview': '检查答案',
    'survey.navigation': '翻页',
    'survey.required': '必答',
    'survey.review': '请检查您的答案',
    'survey.unanswered': '未作答',
    'survey.change': '修改',
    'survey.keys.letters': '请按 {keys} 选择，或用 Tab 和方向键。',
    'survey.keys.or': '{a} 或 {b}',
    'survey.keys.numbers': '请按数字 {min}–{max} 选择，或用 Tab 和方向键。',
    'survey.keys.wait': '已按 {n}：稍候即选 {n}，按 Enter 立即选择，或继续输入数字。',
    'survey.submit': '提交',
    'survey.missing': '第 {n} 题为必答题，尚未作答。',
    'survey.gotoMissing': '去第 {n} 题',
    'survey.thanks': '感谢您的参与！',
    'survey.saved': '您的答卷已保存。',
    'survey.nextCustomer': '您的答卷已保存。本页面即将为下一位客户重置。',
    'survey.again': '再填一份',
    'survey.code.lead': '请把下面的答卷码发给网点（截图、分享或复制都可以），您的答卷才会计入。',
    'survey.code.qrLabel': '答卷码二维码',
    'survey.code.share': '分享答卷码',
    'survey.code.copy': '复制答卷码',
    'survey.code.copied': '已复制，可粘贴到微信或短信发给网点。',
    'survey.code.select': '请长按选中答卷码后复制。',
    'survey.code.title': '满意度调查答卷码',
    'survey.code.message': '我的满意度调查答卷码：{code}',
    'survey.code.failed': '答卷已保存在本机，但无法生成答卷码：{what}',
    'survey.badInstrument': '问卷无法载入：{what}',
    'survey.contact.step': '可选：回访',
    'survey.contact.title': '需要我们回访您吗？（可选）',
    'survey.contact.lead':
      '如您愿意，请留下姓名和电话，网点工作人员会就您的意见与您联系。只有勾选同意后才会保存。',
    'survey.contact.name': '姓名或称呼',
    'survey.contact.phone': '联系电话',
    'survey.contact.consent': '我同意银行保存以上联系方式，并就本次调查与我联系',
    'survey.contact.badPhone': '请填写有效的电话号码（5–20 位数字），或取消勾选同意。',
    'survey.contact.notKept':
      '未勾选同意，您填写的联系方式不会保存。如需回访请勾选同意；否则再按一次“跳过”。',
    'survey.contact.skip': '跳过',
    'survey.contact.review': '回访联系方式',
    'survey.contact.none': '不需要回访',
    'kiosk.staff': '工作人员',
    'kiosk.exitTitle': '退出平板模式',
    'kiosk.exitLead': '仅限网点员工：输入员工口令退出平板模式。',
    'kiosk.passphrase': '员工口令',
    'kiosk.exit': '退出',
    'kiosk.cancel': '取消',
    'kiosk.wrong': '口令不正确。',
    'kiosk.wait': '口令错误次数过多，请 {s} 秒后再试。',
  },
  en: {
    skip: 'Skip to content',
    switchTo: '中文',
    switchLabel: '切换到中文',
    'app.failed':
      'That did not finish: {what}. Try again; if it keeps failing, tell a member of staff.',
    'survey.saveFailed':
      'Your answers could not be saved on this device: {what}. They are all still here: press Submit again; if it keeps failing, tell a member of staff.',
    'survey.open': 'Answer the survey',
    'survey.badLink':
      'This invitation link is incomplete: please open the whole link from the message or QR code. ({what})',
    'survey.foreignSource':
      'the link names a questionnaire that is not a file of this site’s instruments/ folder, so it was refused (a guard against phishing under the bank’s address)',
    'survey.loading': 'Loading the questionnaire…',
    'survey.progress': 'Question {n} of {total}',
    'survey.back': 'Back',
    'survey.next': 'Next',
    'survey.toReview': 'Review answers',
    'survey.navigation': 'Pages',
    'survey.required': 'required',
    'survey.review': 'Please check your answers',
    'survey.unanswered': 'Not answered',
    'survey.change': 'Change',
    'survey.keys.letters': 'Press {keys} to choose, or use Tab and the arrow keys.',
    'survey.keys.or': '{a} or {b}',
    'survey.keys.numbers':
      'Type a number from {min} to {max} to choose, or use Tab and the arrow keys.',
    'survey.keys.wait':
      '{n} typed: it is chosen in a moment; press Enter to choose it now, or type another digit.',
    'survey.submit': 'Submit',
    'survey.missing': 'Question {n} must be answered.',
    'survey.gotoMissing': 'Go to question {n}',
    'survey.thanks': 'Thank you!',
    'survey.saved': 'Your answers are saved.',
    'survey.nextCustomer': 'Your answers are saved. This page will reset for the next customer.',
    'survey.again': 'Fill in another',
    'survey.code.lead':
      'Send the response code below to the branch (screenshot, share or copy): only then do your answers count.',
    'survey.code.qrLabel': 'QR code of your response',
    'survey.code.share': 'Share the code',
    'survey.code.copy': 'Copy the code',
    'survey.code.copied': 'Copied: paste it into a WeChat or SMS message to the branch.',
    'survey.code.select': 'Press and hold the code to select and copy it.',
    'survey.code.title': 'Satisfaction survey response code',
    'survey.code.message': 'My satisfaction survey response code: {code}',
    'survey.code.failed':
      'Your answers are saved on this phone, but no response code could be made: {what}',
    'survey.badInstrument': 'The questionnaire could not be loaded: {what}',
    'survey.contact.step': 'Optional: call-back',
    'survey.contact.title': 'Would you like us to call you back? (optional)',
    'survey.contact.lead':
      'If you wish, leave your name and phone number and branch staff will contact you about your feedback. They are kept only if you tick the consent box.',
    'survey.contact.name': 'Name',
    'survey.contact.phone': 'Phone number',
    'survey.contact.consent':
      'I agree that the bank keeps these contact details and contacts me about this survey',
    'survey.contact.badPhone':
      'Please enter a valid phone number (5–20 digits), or untick the consent box.',
    'survey.contact.notKept':
      'Without consent your contact details will not be kept. Tick the box to be called back; otherwise press “Skip” again.',
    'survey.contact.skip': 'Skip',
    'survey.contact.review': 'Call-back contact',
    'survey.contact.none': 'No call-back',
    'kiosk.staff': 'Staff',
    'kiosk.exitTitle': 'Leave kiosk mode',
    'kiosk.exitLead': 'Branch staff only: enter the staff passphrase to leave kiosk mode.',
    'kiosk.passphrase': 'Staff passphrase',
    'kiosk.exit': 'Leave',
    'kiosk.cancel': 'Cancel',
    'kiosk.wrong': 'Wrong passphrase.',
    'kiosk.wait': 'Too many wrong tries: try again in {s} s.',
  },
};

/** Why a questionnaire could not be loaded, in `lang`: the core's reason, or ours for a link to another site. */
export function instrumentProblem(/** @type {Lang} */ lang, e) {
  return e?.problems?.[0]?.code === 'foreign_source'
    ? t(lang, 'survey.foreignSource')
    : String(e?.message ?? e);
}

/**
 * A problem the core reported ({ code, message, expected?, first_line? }), in
 * `lang`: the translated sentence for its code with the same details the core's
 * English sentence gives (the options or range expected, the line an id first
 * stands on), or the core's own sentence where there is no translation.
 */
export function problemText(/** @type {Lang} */ lang, p) {
  const detailed = `problem.${p.code}.detail`;
  if ((p.expected != null || p.first_line != null) && has(lang, detailed))
    return t(lang, detailed, { expected: p.expected ?? '', line: p.first_line ?? '' });
  return has(lang, `problem.${p.code}`) ? t(lang, `problem.${p.code}`) : p.message;
}

/** Adds a page's own texts ({ 'zh-CN': {…}, en: {…} }) to the shared ones. */
export function addStrings(more) {
  Object.assign(strings['zh-CN'], more['zh-CN']);
  Object.assign(strings.en, more.en);
}

/**
 * The language chosen on this device before, else Simplified Chinese (the
 * product's first language, whatever the browser's: a branch tablet's
 * browser language says nothing about its customers).
 * @returns {Lang}
 */
export function initialLang() {
  const saved = globalThis.localStorage?.getItem('manyi.lang');
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return 'zh-CN';
}

/** Remembers the language for the next visit. */
export function saveLang(/** @type {Lang} */ lang) {
  try {
    globalThis.localStorage?.setItem('manyi.lang', lang);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
}

/**
 * The string `key` in `lang` with `{name}` placeholders filled in. English
 * counts agree with their number through `{name?one:other}`: "response{n?:s}"
 * is "1 response" but "2 responses", "{n?is:are}" the verb.
 */
export function t(/** @type {Lang} */ lang, key, vars = {}) {
  const s = strings[lang][key] ?? strings['zh-CN'][key] ?? key;
  return s
    .replace(/\{(\w+)\?([^:{}]*):([^{}]*)\}/g, (_, k, one, other) =>
      Number(vars[k]) === 1 ? one : other,
    )
    .replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

/** A sentence as shown: in English it starts with a capital ("demo data: …" does not). */
export function sentence(/** @type {Lang} */ lang, text) {
  return lang === 'en' && text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** Whether `lang` has its own text for `key`. */
export function has(/** @type {Lang} */ lang, key) {
  return key in strings[lang];
}

/** Fills every element with a data-i18n attribute. */
export function translatePage(/** @type {Lang} */ lang) {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(lang, el.getAttribute('data-i18n'));
  }
}

/** Today's date where the branch is (the device's local date, not UTC's), YYYY-MM-DD. */
export function localDay(now = new Date()) {
  const two = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

// The pages' shared helpers: finding and building elements, the language button, saving a file, showing failures.
import { t } from './i18n.js';

/**
 * The element `sel` finds: a page looks up its own fixed elements, which are
 * there (null only for a missing element, a page bug that shows at once).
 * @param {string} sel
 * @returns {HTMLElement}
 */
export const $ = (sel) => /** @type {HTMLElement} */ (document.querySelector(sel));

/**
 * The same as `$`, typed as a form field (its `value`, `checked`, `select()`).
 * @param {string} sel
 * @returns {HTMLInputElement}
 */
export const $field = (sel) => /** @type {HTMLInputElement} */ (document.querySelector(sel));

/**
 * Builds an element: h('td', {class: 'num', onclick: f}, 'text', child, …).
 * `text` sets the text, `class` the class, `style` the inline style, `on…` adds a listener, other keys
 * are attributes (true → present, false or null → absent); null children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    // Through the CSSOM: the Content-Security-Policy refuses style attributes in markup.
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c != null && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** Labels the language button (#lang) with the other language, in that language. */
export function labelLangButton(/** @type {'zh-CN' | 'en'} */ lang) {
  const button = /** @type {HTMLElement} */ (document.querySelector('#lang'));
  button.textContent = t(lang, 'switchTo');
  button.setAttribute('lang', lang === 'en' ? 'zh-CN' : 'en');
  button.setAttribute('aria-label', t(lang, 'switchLabel'));
}

/** Hands a file ({name, mime, bytes}) to the browser as a download. */
export function saveFile(file) {
  const url = URL.createObjectURL(new Blob([file.bytes], { type: file.mime }));
  const a = h('a', { href: url, download: file.name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/**
 * Catches whatever an event handler left uncaught (a failed IndexedDB write,
 * a worker that stopped): logs it and shows `message(what)` in the region
 * `where()` returns, so that no button ever fails silently.
 */
export function catchFailures(where, message) {
  const show = (reason) => {
    console.error(reason);
    const box = where();
    if (!box) return;
    box.hidden = false;
    box.textContent = message(String(reason?.message ?? reason ?? ''));
  };
  addEventListener('unhandledrejection', (e) => show(e.reason));
  addEventListener('error', (e) => show(e.error ?? e.message));
}

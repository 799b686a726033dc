// The staff lock in front of the staff screens (report, dashboard, entry,
// invitations, exports): the first use sets the staff passphrase (with the
// plain warning that a forgotten passphrase means unreadable data), later
// visits ask for it; the unlocked keys go to the page's storage and worker.
// A device in kiosk mode sends every staff screen back to the survey. The
// session locks itself after vault.IDLE_MINUTES untouched, or on "Lock".
import { initialLang, saveLang, t, translatePage } from './i18n.js';
import { h, labelLangButton } from './dom.js';
import { kioskMode } from './db.js';
import { useWorkerKeys } from './worker-bridge.js';
import * as vault from './vault.js';

/** A form of passphrase fields in `main`, the page's own content hidden meanwhile; resolves when `attempt` succeeds. */
function gateForm(kind, attempt) {
  let lang = initialLang();
  const tr = (key, vars) => t(lang, key, vars);
  const main = /** @type {HTMLElement} */ (document.querySelector('main'));
  // The screen's own controls (its content, and buttons such as Print in the bar) wait behind the lock.
  const hidden = /** @type {HTMLElement[]} */ ([
    ...main.children,
    ...document.querySelectorAll('header.bar button:not(#lang), footer'),
  ]).filter((c) => !c.hidden);
  for (const c of hidden) c.hidden = true;
  document.documentElement.dataset.lock = kind;
  return new Promise((resolve) => {
    const section = h('section', { class: 'card lock', id: 'lock', 'aria-labelledby': 'lock-h' });
    const render = () => {
      translatePage(lang);
      labelLangButton(lang);
      const field = (id, key) =>
        h(
          'p',
          { class: 'field' },
          h('label', { for: id, text: tr(key) }),
          h('input', {
            id,
            type: 'password',
            autocomplete: kind === 'none' ? 'new-password' : 'current-password',
            required: true,
          }),
        );
      section.replaceChildren(
        ...[
          h('h1', {
            id: 'lock-h',
            tabindex: -1,
            text: tr(kind === 'none' ? 'lock.setTitle' : 'lock.title'),
          }),
          h('p', { text: tr(kind === 'none' ? 'lock.setLead' : 'lock.lead') }),
          kind === 'none'
            ? h(
                'p',
                { class: 'warning', id: 'lock-warning' },
                h('strong', { text: tr('lock.forgetWarning') }),
              )
            : null,
          h(
            'form',
            { id: 'lock-form', 'aria-labelledby': 'lock-h', onsubmit: submit },
            field('lock-pass', 'lock.passphrase'),
            kind === 'none' ? field('lock-again', 'lock.again') : null,
            h('p', { id: 'lock-error', class: 'error', role: 'alert' }),
            h(
              'button',
              { type: 'submit', id: 'lock-go' },
              tr(kind === 'none' ? 'lock.set' : 'lock.unlock'),
            ),
          ),
        ].filter(Boolean),
      );
    };
    async function submit(e) {
      e.preventDefault();
      const say = (key, vars) => (
        (section.querySelector('#lock-error').textContent = tr(key, vars)),
        section.querySelector('#lock-pass').focus()
      );
      const pass = section.querySelector('#lock-pass').value;
      const again = section.querySelector('#lock-again')?.value;
      if (kind === 'none' && pass !== again) return say('lock.mismatch');
      const button = section.querySelector('#lock-go');
      button.disabled = true;
      section.querySelector('#lock-error').textContent = tr('lock.working');
      try {
        const keys = await attempt(pass);
        section.remove();
        for (const c of hidden) c.hidden = false;
        delete document.documentElement.dataset.lock;
        document.querySelector('#lang')?.removeEventListener('click', toggle);
        resolve(keys);
      } catch (err) {
        button.disabled = false;
        if (err instanceof vault.Refused)
          say(err.wait ? 'lock.wait' : 'lock.wrong', { s: err.wait });
        else if (err?.problems?.[0]?.code === 'weak_passphrase') say('lock.weak');
        else say('lock.failed', { what: String(err?.message ?? err) });
      }
    }
    const toggle = () => {
      lang = lang === 'en' ? 'zh-CN' : 'en';
      saveLang(lang);
      render();
    };
    document.querySelector('#lang')?.addEventListener('click', toggle);
    render();
    main.prepend(section);
    section.querySelector('#lock-pass').focus();
  });
}

/** Locks the session after vault.IDLE_MINUTES untouched, and offers "Lock" in the page's bar. */
function keepSession() {
  let last = 0;
  const touched = () => {
    if (Date.now() - last > 10_000) {
      last = Date.now();
      vault.touch();
    }
  };
  for (const ev of ['pointerdown', 'keydown', 'touchstart'])
    addEventListener(ev, touched, { passive: true });
  // Idle too long (or locked in another way): the keys go and the lock shows again.
  setInterval(() => {
    if (!vault.sessionAlive()) {
      vault.lock();
      location.reload();
    }
  }, 30_000);
  const bar = document.querySelector('header.bar');
  if (bar && !bar.querySelector('#lock-now')) {
    const button = h(
      'button',
      {
        type: 'button',
        class: 'ghost',
        id: 'lock-now',
        'data-i18n': 'lock.now',
        onclick: () => (vault.lock(), location.reload()),
      },
      t(initialLang(), 'lock.now'),
    );
    bar.querySelector('#lang')?.before(button);
  }
}

/**
 * Before a staff screen shows anything: back to the survey in kiosk mode;
 * otherwise the staff passphrase (set on first use). Resolves to the unlocked keys.
 */
export async function staffGate() {
  if (await kioskMode()) {
    location.replace('survey.html');
    return new Promise(() => {});
  }
  let keys = await vault.sessionKeys();
  if (!keys) {
    const state = await vault.vaultState();
    keys = await gateForm(state, state === 'none' ? vault.createVault : vault.unlock);
  }
  useWorkerKeys(keys);
  keepSession();
  return keys;
}

/** Only the kiosk check (a screen with no data, such as the blank paper form). */
export async function kioskBounce() {
  if (await kioskMode()) {
    location.replace('survey.html');
    return new Promise(() => {});
  }
}

// The service worker (sw.js) for every screen. It precaches what the survey
// needs; a staff screen, or a survey run as a branch kiosk, also has it cache
// the staff worker's module (pkg/, the largest), which a customer's own phone
// never loads.

/** Registers the service worker; with `staff`, asks it to cache the staff screens' module too. */
export function offline(staff) {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  sw.register('sw.js').catch(() => {});
  if (staff) sw.ready.then((r) => r.active?.postMessage('staff')).catch(() => {});
}

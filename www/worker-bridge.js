// The page's side of the worker: one promise per request, progress by callback.
/** @type {Worker | undefined} */
let worker;
let next = 1;
const waiting = new Map();

/** The unlocked staff keys, handed to the worker before its first request. */
let staffKeys = null;

/** Gives the worker the unlocked staff keys (CryptoKeys clone without leaving their key material readable). */
export function useWorkerKeys(keys) {
  staffKeys = keys;
  if (worker) worker.postMessage({ id: 0, type: 'keys', keys });
}

function start() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  if (staffKeys) worker.postMessage({ id: 0, type: 'keys', keys: staffKeys });
  worker.onmessage = ({ data }) => {
    const w = waiting.get(data.id);
    if (!w) return;
    if (data.progress) return w.onProgress?.(data.progress);
    waiting.delete(data.id);
    if (data.error) w.fail(Object.assign(new Error(data.error.message), data.error));
    else w.ok(data.result);
  };
  worker.onerror = (e) => {
    for (const w of waiting.values()) w.fail(new Error(e.message || 'the worker stopped'));
    waiting.clear();
  };
}

/** Sends a request to the worker; resolves with its result. */
export function ask(type, payload = {}, onProgress, transfer = []) {
  // The request's `id` and `type` are the bridge's: a payload field of either name would be lost.
  if ('id' in payload || 'type' in payload)
    return Promise.reject(new Error(`ask('${type}'): name the payload's id or type otherwise`));
  if (!worker) start();
  const id = next++;
  return new Promise((ok, fail) => {
    waiting.set(id, { ok, fail, onProgress });
    // The request's own id and type last: a payload field can never replace them.
    worker.postMessage({ ...payload, id, type }, transfer);
  });
}

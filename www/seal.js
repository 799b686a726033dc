// Encryption at rest, with the browser's own WebCrypto (native code, keys that
// cannot be read back out, nothing added to the download). Two envelopes, both
// AES-256-GCM with a random 12-byte IV, told apart by their first byte:
//
//   1 ‖ iv ‖ ciphertext            under the device's data key (staff screens,
//                                  unlocked with the staff passphrase; vault.js)
//   2 ‖ epk (65) ‖ iv ‖ ciphertext sealed to the device's public key: ECDH P-256
//                                  with a fresh key pair per record, HKDF-SHA-256
//                                  ("manyi-seal-1") to the AES key. The survey and
//                                  kiosk write this way without the passphrase, so
//                                  a locked tablet collects what nobody on it can read.
//
// Records are JSON (Uint8Array fields kept as such) before encryption. What a
// record keeps in clear (its id, questionnaire key, export flag) is decided by
// db.js (CLEAR); DESIGN.md "Security" lists it.

const DK_ENVELOPE = 1;
const SEALED_ENVELOPE = 2;
const subtle = globalThis.crypto.subtle;
const HKDF_INFO = new TextEncoder().encode('manyi-seal-1');

/** Base64 of `bytes`, a slice at a time (spreading megabytes into one call overflows the stack). */
export function toBase64(bytes) {
  const all = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  for (let i = 0; i < all.length; i += 0x8000)
    text += String.fromCharCode(...all.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The bytes of base64 `text`. */
export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** JSON bytes of `value`, Uint8Arrays tagged so that they come back as Uint8Arrays. */
export function toBytes(value) {
  return new TextEncoder().encode(
    JSON.stringify(value, (_, v) => (v instanceof Uint8Array ? { $u8: Array.from(v) } : v)),
  );
}

/** The value of `toBytes`. */
export function fromBytes(bytes) {
  return JSON.parse(new TextDecoder().decode(bytes), (_, v) =>
    v && typeof v === 'object' && Array.isArray(v.$u8) && Object.keys(v).length === 1
      ? Uint8Array.from(v.$u8)
      : v,
  );
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out;
}

/** An AES-GCM key from 32 raw bytes, usable but never readable again. */
export function aesKey(raw) {
  return subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Encrypts `bytes` under the data key `dk` (envelope 1). */
export async function encryptWith(dk, bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return concat(
    new Uint8Array([DK_ENVELOPE]),
    iv,
    await subtle.encrypt({ name: 'AES-GCM', iv }, dk, bytes),
  );
}

/** The device's public key (raw P-256 point) as a key to seal to. */
export function publicKey(raw) {
  return subtle.importKey('raw', raw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
}

async function sealKey(privateKey, publicKey, usage) {
  const shared = await subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const hkdf = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: HKDF_INFO },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

/** Seals `bytes` to the device's public key (envelope 2): only the private key opens it. */
export async function sealTo(pub, bytes) {
  const eph = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, [
    'deriveBits',
  ]);
  const epk = new Uint8Array(await subtle.exportKey('raw', eph.publicKey));
  const key = await sealKey(eph.privateKey, pub, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return concat(
    new Uint8Array([SEALED_ENVELOPE]),
    epk,
    iv,
    await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: epk }, key, bytes),
  );
}

/** Opens either envelope with the unlocked keys { dk, priv }; throws if altered or not ours. */
export async function openWith(keys, packed) {
  const bytes = new Uint8Array(packed);
  if (bytes[0] === DK_ENVELOPE) {
    return new Uint8Array(
      await subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(1, 13) },
        keys.dk,
        bytes.subarray(13),
      ),
    );
  }
  if (bytes[0] === SEALED_ENVELOPE) {
    const epk = bytes.subarray(1, 66);
    const key = await sealKey(keys.priv, await publicKey(epk), 'decrypt');
    return new Uint8Array(
      await subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(66, 78), additionalData: epk },
        key,
        bytes.subarray(78),
      ),
    );
  }
  throw new Error('not an envelope this version of manyi reads');
}

/** Whether `value` is an envelope of this file (an encrypted chunk or record payload). */
export function isEnvelope(value) {
  return value instanceof Uint8Array && (value[0] === DK_ENVELOPE || value[0] === SEALED_ENVELOPE);
}

// The security headers every page of manyi is served with: the one place they
// are written. scripts/serve.mjs sends them, `./dev dist` writes them as
// dist/_headers (the format of Netlify and Cloudflare Pages), and the pages
// carry the same policy as a <meta> tag (tests/e2e/security.test.mjs checks
// that the three agree). README "Security" lists them for other hosts.
//
//   node scripts/headers.mjs            prints dist/_headers

/** The Content-Security-Policy: nothing from another origin, no inline script or style. */
export const POLICY = [
  "default-src 'self'",
  // The WebAssembly core is compiled from the page's own pkg/ (no eval of JavaScript).
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  // The blank favicon is a data: URL; downloads are blob: URLs.
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "media-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  // Only as a header: browsers ignore frame-ancestors in a <meta> tag.
  "frame-ancestors 'none'",
].join('; ');

/** The policy as a page's <meta http-equiv> carries it (without frame-ancestors). */
export const META_POLICY = POLICY.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

/** Every response's security headers. */
export const HEADERS = {
  'Content-Security-Policy': POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // Invitation links carry a token; never pass the address on to another site.
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** dist/_headers: every path gets the headers. */
export function headersFile() {
  return `/*\n${Object.entries(HEADERS)
    .map(([k, v]) => `  ${k}: ${v}`)
    .join('\n')}\n`;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  process.stdout.write(headersFile());
}

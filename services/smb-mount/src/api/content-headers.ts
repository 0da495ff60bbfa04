// Headers that make a download safe to serve from the Drive origin: always an attachment, a
// type guessed from the extension but never one a browser would run or render as a page, and no
// sniffing.
import { create as contentDisposition } from 'content-disposition';
import { lookup } from 'mime-types';

// Types a browser renders as a document, runs, or parses as markup with script in it.
const ACTIVE = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'text/ecmascript',
  'application/x-javascript',
  'application/wasm',
  'text/xsl',
  'application/xslt+xml',
  'application/x-shockwave-flash',
  'application/pdf+html',
  'multipart/x-mixed-replace',
]);

export function safeContentType(name: string): string {
  const guessed = lookup(name);
  if (guessed === false) return 'application/octet-stream';
  const type = guessed.toLowerCase();
  if (ACTIVE.has(type) || type.endsWith('+xml') || type.includes('html'))
    return 'application/octet-stream';
  // No charset: the share does not say how a text file is encoded.
  return type;
}

/** `attachment`, with an ASCII fallback and the RFC 5987 `filename*` for any other name. */
export function attachment(name: string): string {
  return contentDisposition(name, { type: 'attachment' });
}

export const DOWNLOAD_SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Should a browser still render the body, it runs no script and loads nothing.
  'content-security-policy': "default-src 'none'; sandbox",
} as const;

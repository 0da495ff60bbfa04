// X-Forwarded-Uri, checked before Drive sees it. The key that reaches S3 is the same path, so a
// path Drive would authorise for one item but S3 would resolve to another must never pass.

export type MediaUriVerdict = { ok: true; uri: string } | { ok: false; reason: string };

const MAX_LENGTH = 4096;
const MEDIA_PREFIX = '/media/';

/** Decodes as long as the text still changes and decodes: what any later hop could make of it. */
function fullyDecoded(segment: string): string {
  let current = segment;
  for (let round = 0; round < 4; round += 1) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

export function checkMediaUri(raw: string | undefined): MediaUriVerdict {
  if (raw === undefined || raw === '') return { ok: false, reason: 'no X-Forwarded-Uri' };
  if (raw.length > MAX_LENGTH) return { ok: false, reason: 'URI too long' };
  // Drive signs an empty query string, and would otherwise try to authorise the query instead.
  if (raw.includes('?')) return { ok: false, reason: 'a query string' };
  if (!raw.startsWith(MEDIA_PREFIX)) return { ok: false, reason: 'not under /media/' };
  if (/[\p{Cc}\\]/u.test(raw)) return { ok: false, reason: 'a control character or backslash' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'malformed percent-encoding' };
  }
  for (const segment of raw.split('/').slice(1)) {
    const plain = fullyDecoded(segment);
    if (plain === '.' || plain === '..') return { ok: false, reason: 'a dot segment' };
    if (/[\p{Cc}\\/]/u.test(plain))
      return { ok: false, reason: 'an encoded slash, backslash or control character' };
  }
  if (decoded.includes('//')) return { ok: false, reason: 'an empty segment' };
  return { ok: true, uri: raw };
}

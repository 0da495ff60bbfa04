import { describe, expect, it } from 'vitest';
import { checkMediaUri } from './media-uri.js';

const ITEM = '/media/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10';

describe('checkMediaUri', () => {
  it.each([
    `${ITEM}/report.pdf`,
    `${ITEM}/na%20me%20with%20spaces.txt`,
    `${ITEM}/%C3%A9t%C3%A9%20%E2%98%83.txt`,
    `${ITEM}/100%25%20sure%2B%23%3F.txt`,
    `${ITEM}/sub/dir/deep.txt`,
    `/media/preview/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10/photo.jpg`,
    // A literal % that is not an escape of anything reaches Drive, which refuses it itself.
    `${ITEM}/a%2.txt`.replace('%2.', '%252.'),
  ])('passes %s unchanged', (uri) => {
    expect(checkMediaUri(uri)).toEqual({ ok: true, uri });
  });

  it.each([
    [undefined, 'no X-Forwarded-Uri'],
    ['', 'no X-Forwarded-Uri'],
    ['/api/v1.0/items/', 'not under /media/'],
    ['/Media/item/x', 'not under /media/'],
    ['/media/../api/v1.0/users/me/', 'a dot segment'],
    ['/media/item/./x', 'a dot segment'],
    ['/media/%2e%2e/api/v1.0/users/me/', 'a dot segment'],
    ['/media/%2E%2E/x', 'a dot segment'],
    ['/media/%252e%252e/x', 'a dot segment'],
    ['/media/%25252e%25252e/x', 'a dot segment'],
    ['/media/.%2e/x', 'a dot segment'],
    ['/media/item%2f..%2fsecret', 'an encoded slash, backslash or control character'],
    ['/media/item%252f..%252fsecret', 'an encoded slash, backslash or control character'],
    ['/media/item/a%5c..%5csecret', 'an encoded slash, backslash or control character'],
    ['/media/item/a%00.txt', 'an encoded slash, backslash or control character'],
    ['/media/item/a%2500.txt', 'an encoded slash, backslash or control character'],
    ['/media/item\\..\\secret', 'a control character or backslash'],
    ['/media/item/a\u0000.txt', 'a control character or backslash'],
    ['/media/item/a\n.txt', 'a control character or backslash'],
    ['/media/item/%E0%A4%A', 'malformed percent-encoding'],
    ['/media/item//x', 'an empty segment'],
    [`${ITEM}/x.txt?versionId=1`, 'a query string'],
    ['/media/x?/media/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10/secret.txt', 'a query string'],
    [`/media/${'a'.repeat(5000)}`, 'URI too long'],
  ])('refuses %j (%s)', (uri, reason) => {
    expect(checkMediaUri(uri)).toEqual({ ok: false, reason });
  });

  it('passes unicode lookalikes of dots and slashes as the plain characters they are', () => {
    // U+FF0E FULLWIDTH FULL STOP and U+2215 DIVISION SLASH are not separators for S3 or Drive.
    const uri = `${ITEM}/%EF%BC%8E%EF%BC%8E%E2%88%95secret`;
    expect(checkMediaUri(uri)).toEqual({ ok: true, uri });
  });
});

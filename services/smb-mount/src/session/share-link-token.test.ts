import { describe, expect, it } from 'vitest';
import {
  newShareLinkId,
  shareLinkToken,
  shareLinkTokenId,
  tokenMatches,
  type ShareLinkGrantFields,
} from './share-link-token.js';

const SECRET = 'a-share-link-secret-of-at-least-32-chars';
const fields: ShareLinkGrantFields = {
  id: newShareLinkId(),
  mount: 'team',
  path: 'Reports/2024',
  target: 'directory',
  role: 'viewer',
  expiresAt: 1_700_000_600,
};

describe('share link tokens', () => {
  it('are the id and a MAC over the grant', () => {
    const token = shareLinkToken(SECRET, fields);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(shareLinkTokenId(token)).toBe(fields.id);
    expect(tokenMatches(SECRET, token, fields)).toBe(true);
  });

  it.each([
    ['a wider path', { path: 'Reports' }],
    ['a sibling path', { path: 'Reports/2025' }],
    ['another mount', { mount: 'other' }],
    ['a higher role', { role: 'editor' }],
    ['a later expiry', { expiresAt: fields.expiresAt + 1 }],
    ['a file made a directory', { target: 'file' }],
  ] as const)('do not match a record altered to %s', (_what, change) => {
    const token = shareLinkToken(SECRET, fields);
    expect(tokenMatches(SECRET, token, { ...fields, ...change })).toBe(false);
  });

  it('refuse a forged MAC, another secret, another id or a malformed token', () => {
    const token = shareLinkToken(SECRET, fields);
    const [id, mac = ''] = token.split('.');
    // Every other last character, including those that differ only in base64url's spare bits.
    for (const last of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
      if (mac.endsWith(last)) continue;
      expect(tokenMatches(SECRET, `${String(id)}.${mac.slice(0, -1)}${last}`, fields)).toBe(false);
    }
    const flipped = `${mac.slice(0, 5)}${mac[5] === 'A' ? 'B' : 'A'}${mac.slice(6)}`;
    expect(tokenMatches(SECRET, `${String(id)}.${flipped}`, fields)).toBe(false);
    expect(tokenMatches(`${SECRET}!`, token, fields)).toBe(false);
    expect(tokenMatches(SECRET, token, { ...fields, id: newShareLinkId() })).toBe(false);
    for (const bad of [
      '',
      'x',
      `${String(id)}.`,
      `${token}=`,
      `${token}.x`,
      token.replace('.', ':'),
    ])
      expect(shareLinkTokenId(bad)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { CookieSigner } from './cookies.js';
import { sessionKeys } from './keys.js';
import { decodeTransaction, encodeTransaction, transactionKey } from './login-transaction.js';

const signer = new CookieSigner(
  sessionKeys('a-session-secret-of-at-least-32-characters').cookieSigning,
);
const NOW = 1_700_000_000_000;
const transaction = {
  state: 'state-value',
  nonce: 'nonce-value',
  codeVerifier: 'v'.repeat(43),
  returnTo: '/mounts/team/',
  expiresAt: NOW + 600_000,
};

describe('login transaction cookie', () => {
  it('round-trips until it expires', () => {
    const cookie = encodeTransaction(signer, transaction);
    expect(decodeTransaction(signer, cookie, NOW)).toEqual(transaction);
    expect(decodeTransaction(signer, cookie, NOW + 600_000)).toBeUndefined();
  });

  it('refuses an altered value or another key', () => {
    const cookie = encodeTransaction(signer, transaction);
    const [payload = '', signature = ''] = cookie.split('.');
    const altered = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('/mounts/team/', '/mounts/evil/'),
    ).toString('base64url');
    expect(decodeTransaction(signer, `${altered}.${signature}`, NOW)).toBeUndefined();
    const other = new CookieSigner(
      sessionKeys('another-session-secret-of-32-characters').cookieSigning,
    );
    expect(decodeTransaction(other, cookie, NOW)).toBeUndefined();
    expect(decodeTransaction(signer, 'garbage', NOW)).toBeUndefined();
    expect(decodeTransaction(signer, signer.sign('not base64 json'), NOW)).toBeUndefined();
  });

  it('names one cookie per state', () => {
    expect(transactionKey('a')).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(transactionKey('a')).not.toBe(transactionKey('b'));
  });
});

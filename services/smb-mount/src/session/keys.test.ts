import { describe, expect, it } from 'vitest';
import { seal, sessionKeys, unseal } from './keys.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';

describe('sessionKeys', () => {
  it('derives distinct keys, the same for the same secret', () => {
    const keys = sessionKeys(SECRET);
    const all = [keys.cookieSigning, keys.tokenEncryption, keys.csrf].map((key) =>
      key.toString('hex'),
    );
    expect(new Set(all).size).toBe(3);
    expect(sessionKeys(SECRET)).toEqual(keys);
    expect(sessionKeys(`${SECRET}!`).csrf.equals(keys.csrf)).toBe(false);
  });
});

describe('seal', () => {
  const { tokenEncryption: key } = sessionKeys(SECRET);

  it('round-trips, and hides the plaintext', () => {
    const sealed = seal(key, 'refresh-token-value', 'ctx');
    expect(sealed).not.toContain('refresh');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('refresh');
    expect(unseal(key, sealed, 'ctx')).toBe('refresh-token-value');
    expect(seal(key, 'refresh-token-value', 'ctx')).not.toBe(sealed);
  });

  it('opens nothing under another context or key, or once altered', () => {
    const sealed = seal(key, 'value', 'session-a');
    expect(unseal(key, sealed, 'session-b')).toBeUndefined();
    expect(unseal(sessionKeys(`${SECRET}!`).tokenEncryption, sealed, 'session-a')).toBeUndefined();
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(unseal(key, bytes.toString('base64url'), 'session-a')).toBeUndefined();
    expect(unseal(key, 'short', 'session-a')).toBeUndefined();
  });
});

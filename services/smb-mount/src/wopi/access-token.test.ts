import { describe, expect, it } from 'vitest';
import { AccessTokens, DEFAULT_ACCESS_TOKEN_TTL_MS } from './access-token.js';
import { WopiRefusal } from './errors.js';

const SECRET = 'a-wopi-token-secret-of-at-least-32-characters';
const NOW = Date.UTC(2026, 10, 21, 9, 0, 0);

function refusal(run: () => unknown): WopiRefusal {
  try {
    run();
  } catch (error) {
    if (error instanceof WopiRefusal) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('WOPI access tokens', () => {
  const tokens = new AccessTokens(SECRET);
  const subject = {
    fileId: 'bS9hLm9kdA',
    sub: 'user-1',
    email: 'ada@example.org',
    right: 'edit',
  } as const;

  it('last 10 hours by default, access_token_ttl in ms since the epoch', () => {
    const { token, expiresAt } = tokens.issue(subject, NOW);
    expect(DEFAULT_ACCESS_TOKEN_TTL_MS).toBe(36_000 * 1000);
    expect(expiresAt).toBe(NOW + 36_000_000);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(tokens.verify(token, subject.fileId, NOW)).toEqual({ ...subject, expiresAt });
  });

  it('carry a read-only right for viewers', () => {
    const { token } = tokens.issue({ ...subject, right: 'view' }, NOW);
    expect(tokens.verify(token, subject.fileId, NOW).right).toBe('view');
  });

  it('are refused after they expire', () => {
    const short = new AccessTokens(SECRET, 60_000);
    const { token, expiresAt } = short.issue(subject, NOW);
    expect(short.verify(token, subject.fileId, expiresAt - 1).sub).toBe('user-1');
    const error = refusal(() => short.verify(token, subject.fileId, expiresAt));
    expect(error.status).toBe(401);
    expect(error.reason).toMatch(/expired/);
  });

  it('are refused for another file', () => {
    const { token } = tokens.issue(subject, NOW);
    const error = refusal(() => tokens.verify(token, 'bS9iLm9kdA', NOW));
    expect(error.status).toBe(401);
    expect(error.reason).toMatch(/another file/);
  });

  it('are refused when signed with another secret, or changed in any byte', () => {
    const { token } = tokens.issue(subject, NOW);
    const other = new AccessTokens(`${SECRET}-rotated`);
    expect(refusal(() => other.verify(token, subject.fileId, NOW)).reason).toMatch(/signature/);
    const [payload, mac] = token.split('.') as [string, string];
    // Claim the edit right on a view token: the MAC no longer matches.
    const viewToken = tokens.issue({ ...subject, right: 'view' }, NOW).token;
    const [viewPayload] = viewToken.split('.') as [string, string];
    expect(refusal(() => tokens.verify(`${viewPayload}.${mac}`, subject.fileId, NOW)).status).toBe(
      401,
    );
    for (let index = 0; index < payload.length; index += 7) {
      const flipped = payload[index] === 'A' ? 'B' : 'A';
      const tampered = `${payload.slice(0, index)}${flipped}${payload.slice(index + 1)}.${mac}`;
      expect(refusal(() => tokens.verify(tampered, subject.fileId, NOW)).status).toBe(401);
    }
  });

  it.each(['', 'abc', 'a.b.c', 'a b.c', `${'x'.repeat(5000)}.y`, 'e30.'])('refuses %j', (token) => {
    expect(refusal(() => tokens.verify(token, subject.fileId, NOW)).status).toBe(401);
  });

  it('need a long secret', () => {
    expect(() => new AccessTokens('short')).toThrow(RangeError);
  });
});

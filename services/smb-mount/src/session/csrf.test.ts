import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { csrfToken, passesCsrfCheck, passesLogoutCsrfCheck } from './csrf.js';
import { sessionKeys } from './keys.js';

const ORIGIN = 'https://drive.example.test';
const { csrf: key } = sessionKeys('a-session-secret-of-at-least-32-characters');
const SESSION = 's'.repeat(43);

function request(headers: Record<string, string>, body?: unknown): FastifyRequest {
  return { method: 'POST', headers, body } as unknown as FastifyRequest;
}

describe('CSRF token', () => {
  const token = csrfToken(key, SESSION);

  it('is bound to the session', () => {
    expect(csrfToken(key, SESSION)).toBe(token);
    expect(csrfToken(key, 't'.repeat(43))).not.toBe(token);
  });

  it('passes with the token from this origin, or with no Origin at all', () => {
    expect(
      passesCsrfCheck(request({ 'x-csrf-token': token, origin: ORIGIN }), key, SESSION, ORIGIN),
    ).toBe(true);
    expect(passesCsrfCheck(request({ 'x-csrf-token': token }), key, SESSION, ORIGIN)).toBe(true);
  });

  it('fails without it, with another session token, or from elsewhere', () => {
    const other = csrfToken(key, 't'.repeat(43));
    const cases: Record<string, string>[] = [
      { origin: ORIGIN },
      { 'x-csrf-token': '', origin: ORIGIN },
      { 'x-csrf-token': other, origin: ORIGIN },
      { 'x-csrf-token': token, origin: 'https://evil.example' },
      { 'x-csrf-token': token, origin: 'null' },
      { 'x-csrf-token': token, 'sec-fetch-site': 'same-site' },
      { 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cases)
      expect(passesCsrfCheck(request(headers), key, SESSION, ORIGIN), JSON.stringify(headers)).toBe(
        false,
      );
  });

  it('lets a logout through on a same-origin Origin, or the token in a form field', () => {
    expect(passesLogoutCsrfCheck(request({ origin: ORIGIN }), key, undefined, ORIGIN)).toBe(true);
    expect(passesLogoutCsrfCheck(request({}, { csrf_token: token }), key, SESSION, ORIGIN)).toBe(
      true,
    );
    expect(passesLogoutCsrfCheck(request({}), key, SESSION, ORIGIN)).toBe(false);
    expect(passesLogoutCsrfCheck(request({}, { csrf_token: token }), key, undefined, ORIGIN)).toBe(
      false,
    );
    expect(
      passesLogoutCsrfCheck(
        request({ origin: 'https://evil.example' }, { csrf_token: token }),
        key,
        SESSION,
        ORIGIN,
      ),
    ).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { principalFromClaims } from './claims.js';

describe('principals from userinfo claims', () => {
  it('takes sub, a verified email and groups as an array or a string', () => {
    expect(
      principalFromClaims(
        { sub: 'a', email: 'a@x.test', email_verified: true, groups: ['g1', '/g2'] },
        'bearer',
      ),
    ).toEqual({
      sub: 'a',
      email: 'a@x.test',
      groups: ['g1', '/g2', 'g2'],
      via: 'bearer',
    });
    expect(principalFromClaims({ sub: 'a', groups: 'solo' }, 'bearer')?.groups).toEqual(['solo']);
    expect(principalFromClaims({ sub: 'a', groups: [1, null, ''] }, 'bearer')?.groups).toEqual([]);
  });

  it('drops an email the IdP has not verified, and refuses claims without a subject', () => {
    expect(
      principalFromClaims({ sub: 'a', email: 'a@x.test', email_verified: false }, 'bearer'),
    ).not.toHaveProperty('email');
    expect(principalFromClaims({ email: 'a@x.test' }, 'bearer')).toBeUndefined();
    expect(principalFromClaims({ sub: '' }, 'bearer')).toBeUndefined();
  });
});

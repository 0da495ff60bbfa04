import { describe, expect, it } from 'vitest';
import { OPEN_REDIRECTS } from '../test-support/open-redirects.js';
import { safeReturnTo } from './return-to.js';

const ORIGIN = 'https://drive.example.test';

describe('safeReturnTo', () => {
  it.each(OPEN_REDIRECTS)('refuses %j', (raw) => {
    expect(safeReturnTo(raw, ORIGIN)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const raw of [undefined, null, 1, ['/mounts/'], { href: '/mounts/' }])
      expect(safeReturnTo(raw, ORIGIN)).toBeUndefined();
  });

  it.each([
    '/mounts/',
    '/mounts/team/',
    '/mounts/team/Reports/2024',
    '/mounts/team/Reports%202024/Q1%20%C3%A9t%C3%A9.xlsx',
    '/mounts/team/?sort=name&order=desc',
    '/mounts/team/#selected=a.txt',
    '/mounts/team/a.b/c..d/...e',
    '/mounts/authors/',
  ])('keeps the UI path %j', (raw) => {
    expect(safeReturnTo(raw, ORIGIN)).toBe(raw);
  });
});

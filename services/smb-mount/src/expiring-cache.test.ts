import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache.js';

describe('the expiring cache', () => {
  it('forgets an entry at its lifetime and the oldest beyond its size', () => {
    let now = 0;
    const cache = new ExpiringCache<string>({ maxEntries: 2, now: () => now });
    cache.set('a', 'A', 100);
    expect(cache.get('a')).toBe('A');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'A', 100);
    cache.set('b', 'B', 100);
    cache.set('c', 'C', 100);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'B', 'C']);
  });

  it('joins concurrent loads of one key, and caches no failure', async () => {
    const cache = new ExpiringCache<number>({ maxEntries: 10 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { value: loads, ttlMs: 1000 };
    };
    expect(await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)])).toEqual([
      1, 1,
    ]);
    expect(loads).toBe(1);
    await expect(cache.getOrLoad('bad', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(await cache.getOrLoad('bad', load)).toBe(2);
  });
});

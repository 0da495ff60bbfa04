// The Redis lock script against the reference state machine, on the test bed's real Redis.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, useServer } from '../test-support/samba-share.js';
import { startRedis } from '../test-support/wopi-stand-ins.js';
import { MountPath } from '../smb/paths.js';
import { applyLock, type LockOperation } from './lock-state.js';
import { LockStore } from './locks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WOPI locks in Redis', () => {
  const server = useServer(() => startRedis());
  let redis: Redis;
  let counter = 0;
  const freshFile = () => {
    counter += 1;
    return { mount: 'team', path: MountPath.parse(`docs/file-${String(counter)}.odt`) };
  };
  beforeAll(() => {
    redis = new Redis(server().url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  const operations: LockOperation[] = [
    { kind: 'lock', lock: 'A' },
    { kind: 'lock', lock: 'B' },
    { kind: 'relock', lock: 'B', oldLock: 'A' },
    { kind: 'relock', lock: 'C', oldLock: 'B' },
    { kind: 'refresh', lock: 'A' },
    { kind: 'refresh', lock: 'B' },
    { kind: 'unlock', lock: 'A' },
    { kind: 'unlock', lock: 'B' },
  ];
  const states = [null, 'A', 'B'];

  it('agrees with the state machine on every operation from every state', async () => {
    const store = new LockStore(redis, { ttlMs: 60_000, keyPrefix: 'test:conformance:' });
    for (const state of states) {
      for (const operation of operations) {
        const file = freshFile();
        if (state !== null) await redis.set(store.key(file), state, 'PX', 5000);
        const expected = applyLock(state, operation);
        const outcome = await store.apply(file, operation);
        expect({ state, operation, outcome }).toEqual({ state, operation, outcome: expected });
        expect(await store.current(file)).toBe(expected.ok ? expected.next : state);
        const ttl = await store.remainingMs(file);
        if (expected.ok && expected.expiryReset) expect(ttl).toBeGreaterThan(55_000);
        else if (state !== null && (!expected.ok || expected.next !== null))
          // Untouched: still the 5 s set above.
          expect(ttl).toBeLessThanOrEqual(5000);
        else expect(ttl).toBe(-2);
      }
    }
  });

  it('shares one lock among names that differ only in case', async () => {
    const store = new LockStore(redis, { keyPrefix: 'test:case:' });
    const lower = { mount: 'team', path: MountPath.parse('Docs/Report.odt') };
    const upper = { mount: 'team', path: MountPath.parse('docs/REPORT.ODT') };
    expect(store.key(lower)).toBe(store.key(upper));
    expect(store.key(lower)).not.toContain('Report');
    expect(store.key({ mount: 'other', path: lower.path })).not.toBe(store.key(lower));
    expect(await store.apply(lower, { kind: 'lock', lock: 'A' })).toMatchObject({ ok: true });
    expect(await store.apply(upper, { kind: 'lock', lock: 'B' })).toEqual({
      ok: false,
      current: 'A',
    });
  });

  it('loads its script again after Redis forgot it', async () => {
    const store = new LockStore(redis, { keyPrefix: 'test:noscript:' });
    await redis.script('FLUSH');
    const file = freshFile();
    expect(await store.apply(file, { kind: 'lock', lock: 'X' })).toMatchObject({ ok: true });
    expect(await store.current(file)).toBe('X');
  });

  it('lets a lock expire after its TTL, and a refresh extend it', async () => {
    const store = new LockStore(redis, { ttlMs: 600, keyPrefix: 'test:ttl:' });
    const file = freshFile();
    await store.apply(file, { kind: 'lock', lock: 'A' });
    await sleep(400);
    expect(await store.apply(file, { kind: 'refresh', lock: 'A' })).toMatchObject({ ok: true });
    await sleep(400);
    // 800 ms after locking, alive thanks to the refresh.
    expect(await store.current(file)).toBe('A');
    await sleep(400);
    expect(await store.current(file)).toBeNull();
    expect(await store.apply(file, { kind: 'lock', lock: 'B' })).toMatchObject({ ok: true });
  });

  it('gives a free file to exactly one of 1000 concurrent lock attempts from two editors', async () => {
    const store = new LockStore(redis, { keyPrefix: 'test:race:' });
    const file = freshFile();
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, index) =>
        store.apply(file, { kind: 'lock', lock: index % 2 === 0 ? 'editor-A' : 'editor-B' }),
      ),
    );
    const ms = performance.now() - started;
    const holder = await store.current(file);
    expect(holder === 'editor-A' || holder === 'editor-B').toBe(true);
    const winners = outcomes.filter(
      (outcome, index) => outcome.ok && index % 2 === (holder === 'editor-A' ? 0 : 1),
    );
    const losers = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.current]));
    expect(winners).toHaveLength(500);
    expect(losers).toHaveLength(500);
    expect(losers.every((current) => current === holder)).toBe(true);
    report(`wopi locks: 1000 concurrent LOCKs on Redis in ${ms.toFixed(0)} ms`);
  });
});

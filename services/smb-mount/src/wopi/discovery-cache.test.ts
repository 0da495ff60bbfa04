// Against a stand-in discovery server on loopback (test-support/wopi-stand-ins.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDiscoveryStandIn,
  URLSRC,
  type DiscoveryStandIn,
} from '../test-support/wopi-stand-ins.js';
import { DiscoveryCache, matchEditor } from './discovery-cache.js';

describe('the discovery cache', () => {
  let collabora: DiscoveryStandIn;
  let keyless: DiscoveryStandIn;
  beforeAll(async () => {
    collabora = await startDiscoveryStandIn();
    keyless = await startDiscoveryStandIn({ proofKey: false });
  });
  afterAll(async () => {
    await collabora.stop();
    await keyless.stop();
  });

  it('fetches once per TTL, and again after it', async () => {
    let now = 1_000_000;
    const cache = new DiscoveryCache([collabora.url], { ttlMs: 60_000, now: () => now });
    const before = collabora.fetches;
    const first = await cache.get();
    await cache.get();
    expect(collabora.fetches).toBe(before + 1);
    expect(matchEditor(first, 'ODT')?.actions).toEqual({ edit: URLSRC, view: URLSRC });
    expect(matchEditor(first, 'pdf')).toBeUndefined();
    now += 60_000;
    await cache.get();
    expect(collabora.fetches).toBe(before + 2);
  });

  it('shares one fetch among concurrent callers', async () => {
    const cache = new DiscoveryCache([collabora.url]);
    const before = collabora.fetches;
    await Promise.all([cache.get(), cache.get(), cache.get(), cache.refresh()]);
    expect(collabora.fetches).toBe(before + 1);
  });

  it('refreshes after a failed proof at most once per interval, and sees a rotated key', async () => {
    let now = 5_000_000;
    const cache = new DiscoveryCache([collabora.url], {
      minRefreshIntervalMs: 30_000,
      now: () => now,
    });
    const first = await cache.get();
    const oldJwk = first.editors[0]?.proofKeys?.current.export({ format: 'jwk' });
    const rotated = collabora.rotate();
    expect(await cache.refreshAfterFailedProof()).toBeUndefined();
    now += 30_000;
    const second = await cache.refreshAfterFailedProof();
    const keys = second?.editors[0]?.proofKeys;
    expect(keys?.current.export({ format: 'jwk' })).toEqual(
      rotated.publicKey.export({ format: 'jwk' }),
    );
    expect(keys?.old.export({ format: 'jwk' })).toEqual(oldJwk);
  });

  it('keeps the last good document while an editor is down, and says why', async () => {
    let now = 9_000_000;
    const cache = new DiscoveryCache([collabora.url], { ttlMs: 1000, now: () => now });
    const good = await cache.get();
    collabora.setDown(true);
    try {
      now += 1000;
      const stale = await cache.get();
      expect(stale.editors[0]).toBe(good.editors[0]);
      expect(stale.failures[0]).toMatch(/answered 503/);
    } finally {
      collabora.setDown(false);
    }
  });

  it('lets a later editor win an extension, as Drive orders WOPI_CLIENTS', async () => {
    const cache = new DiscoveryCache([collabora.url, keyless.url]);
    const snapshot = await cache.get();
    expect(matchEditor(snapshot, 'odt')?.editor.url).toBe(keyless.url);
    expect(matchEditor(snapshot, 'odt')?.editor.proofKeys).toBeUndefined();
  });

  it('reports an unreachable URL without throwing', async () => {
    const cache = new DiscoveryCache(['http://127.0.0.1:9/hosting/discovery'], { timeoutMs: 2000 });
    const snapshot = await cache.get();
    expect(snapshot.editors).toEqual([undefined]);
    expect(snapshot.failures[0]).not.toBe('');
  });
});

// The supervised informer against a real API server: it survives an API server restart and a
// 410 (resourceVersion too old), and keeps its cache right through both.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { apiClient } from '../testbed/kube.js';
import type { KubeObject } from './api-client.js';
import { Informer } from './informer.js';

async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('the supervised informer', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));

  async function setup() {
    const api = await apiClient(kube().kubeconfig);
    const events: string[] = [];
    const informer = new Informer<KubeObject>({
      api,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'default',
      onEvent: (event, object) => events.push(`${event}:${object.metadata.name}`),
    });
    const configMap = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'default' },
      data: { a: '1' },
    });
    return { api, informer, events, configMap };
  }

  it('recovers after the API server restarts, missing nothing', async () => {
    const { api, informer, events, configMap } = await setup();
    informer.start();
    await informer.synced;
    await api.create(configMap('before-restart'));
    await until('the first event', () => events.includes('added:before-restart'));
    const starts = informer.watchStarts;
    await kube().restartApiServer();
    await api.create(configMap('after-restart'));
    await until('the event after the restart', () => informer.cache.has('default/after-restart'));
    expect(informer.watchStarts).toBeGreaterThan(starts);
    expect(informer.lastEventAt).toBeGreaterThan(0);
    informer.stop();
  });

  it('relists after a 410 and reports what it missed', async () => {
    const { api, informer, configMap } = await setup();
    informer.start();
    await informer.synced;
    informer.stop();
    // Created while the informer is not watching.
    await api.create(configMap('missed'));
    const resumed = await setup();
    resumed.informer.start();
    await resumed.informer.synced;
    const relists = resumed.informer.relists;
    await api.create(configMap('later'));
    await until('the later event', () => resumed.events.includes('added:later'));
    // A resourceVersion long compacted away: the server answers 410 and the informer relists.
    resumed.informer.rewatchFrom('1');
    await api.create(configMap('after-410'));
    await until(
      'the object created after the 410',
      () => resumed.informer.cache.has('default/after-410'),
      90_000,
    );
    expect(resumed.informer.relists).toBeGreaterThan(relists);
    expect(resumed.informer.cache.has('default/missed')).toBe(true);
    resumed.informer.stop();
  });
});

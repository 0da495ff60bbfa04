import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from './control-plane.js';
import { useServer } from './fixtures.js';
import { installCrds, objectApi } from './kube.js';

describe('kube-apiserver and kube-controller-manager (test bed)', () => {
  const kube = useServer(() => startControlPlane());

  it('accepts the project CRDs', async () => {
    const crds = await installCrds(kube().kubeconfig);
    expect(crds.sort()).toEqual([
      'driveinstances.lasuite.selfhost.dev',
      'oidcclients.lasuite.selfhost.dev',
      'storagemounts.lasuite.selfhost.dev',
      'wopiclients.lasuite.selfhost.dev',
    ]);
  });

  it('garbage-collects an object whose owner is deleted', async () => {
    const api = objectApi(kube().kubeconfig);
    const owner = await api.create<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: 'default' },
    });
    await api.create<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'owned',
        namespace: 'default',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' },
        ],
      },
    });
    await api.delete(owner, undefined, undefined, undefined, undefined, 'Background');
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = await api
        .read({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'owned', namespace: 'default' },
        })
        .then(() => false)
        .catch((error: unknown) => (error as { code?: number }).code === 404);
      if (!gone) await sleep(200);
    }
    expect(gone).toBe(true);
  });

  it('finalizes a deleted namespace', async () => {
    const api = objectApi(kube().kubeconfig);
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } };
    await api.create(namespace);
    await api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'inside', namespace: 'doomed' },
    });
    await api.delete(namespace);
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      gone = await api
        .read(namespace)
        .then(() => false)
        .catch((error: unknown) => (error as { code?: number }).code === 404);
      if (!gone) await sleep(200);
    }
    expect(gone).toBe(true);
  });

  it('enforces RBAC for users without permissions', async () => {
    const api = objectApi(kube().kubeconfig, kube().unprivilegedToken);
    await expect(api.list('v1', 'ConfigMap', 'default')).rejects.toMatchObject({ code: 403 });
  });
});

// Finalizers on a real API server: present exactly when deletion must clean up outside the
// cluster (a StorageMount with reclaimPolicy Delete), never blocking a deletion that has nothing
// to clean, waiting (and saying why) while the cleanup fails, held while paused, and leaving
// other controllers' finalizers alone. The cleanup port here is a test stand-in that records
// what it was asked to remove; the bucket-deleting adapter arrives with the [storage] issue.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { s3MountResource } from '../test-support/resources.js';
import { CLEANUP_FINALIZER, type ExternalCleanup } from './finalizer.js';
import { PAUSE_ANNOTATION, type StatusObject } from './status-writer.js';

const NS = 'apps';
const GROUP_VERSION = 'lasuite.selfhost.dev/v1alpha1';
const FOREIGN_FINALIZER = 'example.com/backup-first';

type Mount = StatusObject & { spec: { s3?: { bucket: { name: string; reclaimPolicy?: string } } } };

/** Records each cleanup; fails while `failures` is above zero, like an unreachable store. */
class RecordingCleanup implements ExternalCleanup<StatusObject> {
  cleaned: string[] = [];
  attempts = 0;
  failures = 0;
  describe(object: StatusObject) {
    return `bucket ${(object as Mount).spec.s3?.bucket.name ?? '?'}`;
  }
  needed(object: StatusObject) {
    return (object as Mount).spec.s3?.bucket.reclaimPolicy === 'Delete';
  }
  cleanUp(object: StatusObject) {
    this.attempts += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9'));
    }
    this.cleaned.push(object.metadata.name);
    return Promise.resolve();
  }
}

function mount(name: string, reclaimPolicy: 'Retain' | 'Delete', extra: object = {}): KubeObject {
  const resource = s3MountResource({
    bucket: { name: `bucket-${name}`, reclaimPolicy },
    // A closed loopback port: the controller's S3 calls fail at once and never leave the host.
    endpoints: { internal: 'http://127.0.0.1:9', public: 'https://s3.example.com' },
  });
  return {
    ...resource,
    metadata: { ...(resource.metadata as object), name, ...extra },
  } as KubeObject;
}

describe('finalizers', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const cleanup = new RecordingCleanup();
  let operator: RunningOperator;
  let api: ApiClient;

  const get = (name: string) => api.getOrUndefined<Mount>(GROUP_VERSION, 'StorageMount', NS, name);
  const finalizersOf = async (name: string) => (await get(name))?.metadata.finalizers ?? [];
  const gone = async (name: string) => (await get(name)) === undefined;
  const eventsOf = async (name: string, reason: string) =>
    (
      await api.list<KubeObject & { reason?: string; involvedObject?: { name?: string } }>(
        'v1',
        'Event',
        NS,
      )
    ).items.filter((event) => event.involvedObject?.name === name && event.reason === reason);

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['storagemount'],
      logName: 'finalizers',
      namespace: NS,
      cleanups: { storagemount: cleanup },
    }));
    await api.create(
      opaqueSecret(NS, 'media-credentials', { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }),
    );
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('puts none on a resource whose deletion keeps everything, which then goes at once', async () => {
    await api.create(mount('kept', 'Retain'));
    await eventually(async () => (await get('kept'))?.status?.observedGeneration === 1);
    expect(await finalizersOf('kept')).toEqual([]);
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'kept');
    expect(await gone('kept')).toBe(true);
    expect(cleanup.cleaned).not.toContain('kept');
  });

  it('cleans up outside, records it and releases the resource when it is deleted', async () => {
    await api.create(mount('deleted', 'Delete'));
    await eventually(async () => (await finalizersOf('deleted')).includes(CLEANUP_FINALIZER));
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'deleted');
    await eventually(() => gone('deleted'));
    expect(cleanup.cleaned.filter((name) => name === 'deleted')).toHaveLength(1);
    const [event] = await eventsOf('deleted', 'CleanedUp');
    expect(event).toMatchObject({ type: 'Normal', message: 'removed bucket bucket-deleted' });
  });

  it('keeps a resource whose cleanup fails, says why, and releases it once cleanup succeeds', async () => {
    await api.create(mount('unreachable', 'Delete'));
    await eventually(async () => (await finalizersOf('unreachable')).includes(CLEANUP_FINALIZER));
    cleanup.failures = 2;
    const before = cleanup.attempts;
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'unreachable');
    const ready = await eventually(async () =>
      (await get('unreachable'))?.status?.conditions?.find(
        (condition) => condition.type === 'Ready' && condition.reason === 'CleanupFailed',
      ),
    );
    expect(ready.message).toContain('could not remove bucket bucket-unreachable');
    expect((await get('unreachable'))?.status?.conditions?.map((c) => c.type)).not.toContain(
      'Stalled',
    );
    expect((await eventsOf('unreachable', 'CleanupFailed'))[0]).toMatchObject({ type: 'Warning' });
    await eventually(() => gone('unreachable'));
    expect(cleanup.attempts - before).toBe(3);
    expect(cleanup.cleaned).toContain('unreachable');
  });

  it("adds and drops only its own finalizer as the policy changes, leaving others'", async () => {
    await api.create(mount('shared', 'Retain', { finalizers: [FOREIGN_FINALIZER] }));
    await eventually(async () => (await get('shared'))?.status?.observedGeneration === 1);
    await api.mergePatch(GROUP_VERSION, 'StorageMount', NS, 'shared', {
      spec: { s3: { bucket: { reclaimPolicy: 'Delete' } } },
    });
    expect(
      await eventually(async () => {
        const finalizers = await finalizersOf('shared');
        return finalizers.length === 2 ? finalizers : undefined;
      }),
    ).toEqual(expect.arrayContaining([FOREIGN_FINALIZER, CLEANUP_FINALIZER]));
    await api.mergePatch(GROUP_VERSION, 'StorageMount', NS, 'shared', {
      spec: { s3: { bucket: { reclaimPolicy: 'Retain' } } },
    });
    await eventually(async () => !(await finalizersOf('shared')).includes(CLEANUP_FINALIZER));
    expect(await finalizersOf('shared')).toEqual([FOREIGN_FINALIZER]);
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'shared');
    await sleep(1000);
    expect((await get('shared'))?.metadata.finalizers).toEqual([FOREIGN_FINALIZER]);
    expect(cleanup.cleaned).not.toContain('shared');
    await api.mergePatch(GROUP_VERSION, 'StorageMount', NS, 'shared', {
      metadata: { finalizers: null },
    });
    await eventually(() => gone('shared'));
  });

  it('holds the deletion of a paused resource until it is resumed', async () => {
    await api.create(mount('paused', 'Delete'));
    await eventually(async () => (await finalizersOf('paused')).includes(CLEANUP_FINALIZER));
    await api.mergePatch(GROUP_VERSION, 'StorageMount', NS, 'paused', {
      metadata: { annotations: { [PAUSE_ANNOTATION]: 'paused' } },
    });
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'paused');
    await eventually(async () =>
      (await get('paused'))?.status?.conditions?.some((condition) => condition.reason === 'Paused'),
    );
    await sleep(1000);
    expect(await gone('paused')).toBe(false);
    expect(cleanup.cleaned).not.toContain('paused');
    await api.mergePatch(GROUP_VERSION, 'StorageMount', NS, 'paused', {
      metadata: { annotations: { [PAUSE_ANNOTATION]: null } },
    });
    await eventually(() => gone('paused'));
    expect(cleanup.cleaned).toContain('paused');
  });

  it('releases a finalizer another client wrote, after cleaning up', async () => {
    await api.create(mount('copied', 'Delete', { finalizers: [CLEANUP_FINALIZER] }));
    await eventually(async () => (await get('copied'))?.status?.observedGeneration === 1);
    await api.delete(GROUP_VERSION, 'StorageMount', NS, 'copied');
    await eventually(() => gone('copied'));
    expect(cleanup.cleaned).toContain('copied');
  });
});

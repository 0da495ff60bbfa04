// The StorageMount, OidcClient and WopiClient controllers: one registration each (status
// contract, pause, finalizer), the work per kind in s3-mount.ts, smb-mount.ts, oidc-client.ts
// and wopi-client.ts.
import { oidcClientSpec } from '../api/oidc-client.js';
import { storageMountSpec, type StorageMountSpec } from '../api/storage-mount.js';
import { wopiClientSpec } from '../api/wopi-client.js';
import { MANAGED_BY } from '../render/labels.js';
import { objectKey } from '../runtime/informer.js';
import { errorMessage, type Manager } from '../runtime/manager.js';
import { onlyStatusChanged } from '../runtime/live-state.js';
import type { ReconcileResult } from '../runtime/work-queue.js';
import { finalize, hasCleanupFinalizer, syncFinalizer, type ExternalCleanup } from './finalizer.js';
import { OBC_API_VERSION } from './s3-access.js';
import { requeueReferenced } from './drive-references.js';
import { CLIENT_REFERENCES, oidcCleanup, reconcileOidcClient } from './oidc-client.js';
import { MOUNT_REFERENCES, reconcileS3Mount, s3Cleanup } from './s3-mount.js';
import { OwnedChildren } from './owned-children.js';
import { reconcileSmbMount } from './smb-mount.js';
import { EDITOR_REFERENCES, reconcileWopiClient } from './wopi-client.js';
import { isPaused, writeStatus, type Report, type StatusObject } from './status-writer.js';

const GROUP_VERSION = 'lasuite.selfhost.dev/v1alpha1';

function register(
  manager: Manager,
  kind: string,
  reconcile: (object: StatusObject & { spec: unknown }) => Promise<Report>,
  cleanup?: ExternalCleanup<StatusObject>,
): (key: string) => void {
  const enqueue = manager.addController({
    name: kind.toLowerCase(),
    concurrency: 2,
    reconcile: async (key): Promise<ReconcileResult | undefined> => {
      const object = manager
        .informer<StatusObject & { spec: unknown }>(GROUP_VERSION, kind)
        .cache.get(key);
      if (!object) return undefined;
      if (object.metadata.deletionTimestamp) {
        if (!hasCleanupFinalizer(object)) return undefined;
        if (isPaused(object)) {
          await writeStatus(manager, object, { state: 'Paused' }, [], {});
          return undefined;
        }
        await deleteExternal(manager, object, cleanup);
        return undefined;
      }
      if (isPaused(object)) {
        await writeStatus(manager, object, { state: 'Paused' }, [], {});
        return undefined;
      }
      await syncFinalizer(manager, object, cleanup);
      const report = await reconcile(object);
      await writeStatus(manager, object, report.outcome, report.domain ?? [], report.fields ?? {});
      // Reported, and now retried with the work queue's backoff.
      if (report.retry && report.outcome.state === 'Progressing')
        throw new Error(report.outcome.message);
      return report.requeueAfterMs === undefined
        ? undefined
        : { requeueAfterMs: report.requeueAfterMs };
    },
  });
  manager.subscribe(GROUP_VERSION, kind, (event, object, previous) => {
    if (event === 'updated' && onlyStatusChanged(previous, object)) return;
    enqueue(objectKey(object));
  });
  return enqueue;
}

/** Cleans up an object being deleted; a failure is reported, then thrown for a retry. */
async function deleteExternal(
  manager: Manager,
  object: StatusObject,
  cleanup: ExternalCleanup<StatusObject> | undefined,
): Promise<void> {
  const blocked = cleanup?.blockedBy?.(object);
  if (blocked !== undefined) {
    await writeStatus(
      manager,
      object,
      { state: 'Progressing', reason: 'ReferencedByDriveInstance', message: blocked },
      [
        {
          type: 'DeletionBlocked',
          status: 'True',
          reason: 'ReferencedByDriveInstance',
          message: blocked,
        },
      ],
      {},
    );
    return;
  }
  const what = cleanup?.describe(object) ?? 'what it created outside the cluster';
  const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
  // After a failure the status keeps saying why until an attempt succeeds.
  if (ready?.reason !== 'CleanupFailed')
    await writeStatus(
      manager,
      object,
      { state: 'Progressing', reason: 'Deleting', message: `removing ${what}` },
      [],
      {},
    );
  try {
    await finalize(manager, object, cleanup);
  } catch (error) {
    const message = `could not remove ${what}: ${errorMessage(error)}; the deletion waits and retries`;
    await manager.events.record(object, 'Warning', 'CleanupFailed', message);
    await writeStatus(
      manager,
      object,
      { state: 'Progressing', reason: 'CleanupFailed', message },
      [],
      {},
    );
    throw error;
  }
}

export function registerStorageMountController(
  manager: Manager,
  cleanup: ExternalCleanup<StatusObject> = s3Cleanup(manager),
): void {
  // Rook's claims are watched from the first mount that uses one: a cluster without Rook has
  // no ObjectBucketClaim kind, and a watch on it would fail forever.
  let watchingClaims = false;
  const watchClaims = () => {
    if (watchingClaims) return;
    watchingClaims = true;
    manager.subscribe(
      OBC_API_VERSION,
      'ObjectBucketClaim',
      (_event, claim) => {
        const owner = claim.metadata.ownerReferences?.find((ref) => ref.kind === 'StorageMount');
        if (owner) enqueue(`${claim.metadata.namespace ?? ''}/${owner.name}`);
      },
      `app.kubernetes.io/managed-by=${MANAGED_BY}`,
    );
  };
  const enqueue = register(
    manager,
    'StorageMount',
    (object) => {
      const spec = storageMountSpec.parse(object.spec);
      if (spec.smb) return reconcileSmbMount(manager, object, spec.smb);
      const s3 = spec.s3;
      if (!s3) throw new Error('a StorageMount of type s3 without s3');
      if (s3.provider === 'rook' && s3.rook?.identity !== 'CephObjectStoreUser') watchClaims();
      return reconcileS3Mount(manager, object, s3);
    },
    cleanup,
  );
  // A DriveInstance's host is one of the bucket's CORS origins, and a referenced mount's
  // deletion waits for it.
  requeueReferenced(manager, enqueue, MOUNT_REFERENCES);
  // A fixed password is tried at once, not at the next periodic check.
  manager.subscribe('v1', 'Secret', (_event, secret) => {
    const namespace = secret.metadata.namespace ?? '';
    for (const mount of manager
      .informer<StatusObject & { spec: StorageMountSpec }>(GROUP_VERSION, 'StorageMount')
      .cache.values()) {
      if (
        mount.metadata.namespace === namespace &&
        mount.spec.smb?.credentialsSecretRef.name === secret.metadata.name
      )
        enqueue(objectKey(mount));
    }
  });
}

export function registerOidcClientController(
  manager: Manager,
  cleanup: ExternalCleanup<StatusObject> = oidcCleanup(manager),
): void {
  const enqueue = register(
    manager,
    'OidcClient',
    (object) => reconcileOidcClient(manager, object, oidcClientSpec.parse(object.spec)),
    cleanup,
  );
  // Every DriveInstance host is a redirect URI of the client it logs in with.
  requeueReferenced(manager, enqueue, CLIENT_REFERENCES);
}

export function registerWopiClientController(manager: Manager): void {
  let enqueue: (key: string) => void = () => undefined;
  const children = new OwnedChildren(manager, 'WopiClient', (key) => {
    enqueue(key);
  });
  enqueue = register(manager, 'WopiClient', (object) =>
    reconcileWopiClient(manager, children, object, wopiClientSpec.parse(object.spec)),
  );
  // A DriveInstance's host is in the editor's WOPI allow-list.
  requeueReferenced(manager, enqueue, EDITOR_REFERENCES);
}

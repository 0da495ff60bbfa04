// Finalizers, only where deleting a resource must clean something up outside the cluster (a
// bucket with reclaimPolicy Delete, a client the operator registered at the IdP). In-cluster
// children never need one: owner references let the garbage collector remove them.
//
// The finalizer is added by server-side apply under the operator's field manager, so finalizers
// of other controllers on the same object are left alone (metadata.finalizers is a set), and
// nothing is written while the object already has the state we want.
import { isNotFound, type KubeObject } from '../runtime/api-client.js';
import type { Manager } from '../runtime/manager.js';
import { FIELD_MANAGER } from './status-writer.js';

export const CLEANUP_FINALIZER = 'lasuite.selfhost.dev/external-cleanup';

/** Something outside the cluster that deleting a resource of one kind must remove. */
export interface ExternalCleanup<T extends KubeObject = KubeObject> {
  /** What would be removed, for Events and conditions: "bucket media-drive at …"; no secrets. */
  describe(object: T): string;
  /** Whether this object, as specified now, owns something outside that deletion must remove. */
  needed(object: T): boolean;
  /**
   * Why the cleanup must wait (something still uses what would be removed), or undefined.
   * The deletion waits without error and resumes when the blocking object changes.
   */
  blockedBy?(object: T): string | undefined;
  /**
   * Removes it; idempotent, so a retry after a crash, or after someone removed it by hand,
   * succeeds. A throw keeps the finalizer and the deletion waits for the next attempt.
   */
  cleanUp(object: T): Promise<void>;
}

export function hasCleanupFinalizer(object: KubeObject): boolean {
  return object.metadata.finalizers?.includes(CLEANUP_FINALIZER) ?? false;
}

async function addFinalizer(manager: Manager, object: KubeObject): Promise<void> {
  await manager.api.apply(
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: {
        name: object.metadata.name,
        namespace: object.metadata.namespace,
        // A uid mismatch fails the apply: after a delete-and-recreate the new object is
        // reconciled from its own event, not from this stale copy.
        uid: object.metadata.uid,
        finalizers: [CLEANUP_FINALIZER],
      },
    },
    FIELD_MANAGER,
    false,
  );
}

async function removeFinalizer(manager: Manager, object: KubeObject): Promise<void> {
  // A JSON patch rather than an apply: the finalizer may have been written by another field
  // manager (a manifest copied from `kubectl get -o yaml`), and an apply only drops what its
  // own manager owns. The tests make a stale cache fail (422) instead of removing another entry.
  const index = object.metadata.finalizers?.indexOf(CLEANUP_FINALIZER) ?? -1;
  if (index === -1) return;
  try {
    await manager.api.jsonPatch(
      object.apiVersion,
      object.kind,
      object.metadata.namespace,
      object.metadata.name,
      [
        { op: 'test', path: '/metadata/uid', value: object.metadata.uid },
        { op: 'test', path: `/metadata/finalizers/${String(index)}`, value: CLEANUP_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${String(index)}` },
      ],
    );
  } catch (error) {
    // Gone already: whatever removed it, there is nothing left to release.
    if (!isNotFound(error)) throw error;
  }
}

/** Adds or removes the finalizer so that it is present exactly when a cleanup is needed. */
export async function syncFinalizer<T extends KubeObject>(
  manager: Manager,
  object: T,
  cleanup: ExternalCleanup<T> | undefined,
): Promise<void> {
  const wanted = cleanup?.needed(object) ?? false;
  const present = hasCleanupFinalizer(object);
  if (wanted && !present) await addFinalizer(manager, object);
  if (!wanted && present) await removeFinalizer(manager, object);
}

/**
 * Runs the cleanup of an object being deleted, then releases it. Throws when the cleanup
 * failed, so the work queue retries with backoff; the caller reports the error in the status.
 */
export async function finalize<T extends KubeObject>(
  manager: Manager,
  object: T,
  cleanup: ExternalCleanup<T> | undefined,
): Promise<void> {
  if (!hasCleanupFinalizer(object)) return;
  if (cleanup) {
    await cleanup.cleanUp(object);
    await manager.events.record(
      object,
      'Normal',
      'CleanedUp',
      `removed ${cleanup.describe(object)}`,
    );
  }
  // Without a cleanup for this kind (an operator started without that port), the finalizer
  // cannot be honoured by anyone; the object is released rather than kept forever, and the
  // Event says what may be left behind.
  else
    await manager.events.record(
      object,
      'Warning',
      'CleanupSkipped',
      'this operator cannot clean up what this resource created outside the cluster; remove it by hand',
    );
  await removeFinalizer(manager, object);
}

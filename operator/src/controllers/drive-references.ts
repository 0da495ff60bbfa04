// The DriveInstances that reference a StorageMount, OidcClient or WopiClient, read from the
// shared DriveInstance cache, and the subscription that requeues what a DriveInstance's spec
// references when it changes (its host is a CORS origin, a redirect URI, a WOPI host).
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { KubeObject } from '../runtime/api-client.js';
import { onlyStatusChanged } from '../runtime/live-state.js';
import type { Manager } from '../runtime/manager.js';

const GROUP_VERSION = 'lasuite.selfhost.dev/v1alpha1';

export type Drive = KubeObject & { spec: DriveInstanceSpec };

/** The names of the objects of one kind that a DriveInstance spec references. */
export type ReferencedNames = (spec: DriveInstanceSpec) => readonly string[];

/** DriveInstances in the object's namespace whose spec names it, sorted by name. */
export function referencingDrives(
  manager: Manager,
  object: KubeObject,
  names: ReferencedNames,
): Drive[] {
  return [...manager.informer<Drive>(GROUP_VERSION, 'DriveInstance').cache.values()]
    .filter(
      (drive) =>
        drive.metadata.namespace === object.metadata.namespace &&
        names(drive.spec).includes(object.metadata.name),
    )
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** Queues what a DriveInstance referenced before and after a change of its spec. */
export function requeueReferenced(
  manager: Manager,
  enqueue: (key: string) => void,
  names: ReferencedNames,
): void {
  manager.subscribe(GROUP_VERSION, 'DriveInstance', (event, object, previous) => {
    // Only a DriveInstance's spec matters here, never its status.
    if (event === 'updated' && onlyStatusChanged(previous, object)) return;
    for (const drive of [object, previous]) {
      if (!drive) continue;
      for (const name of names((drive as Drive).spec))
        enqueue(`${drive.metadata.namespace ?? ''}/${name}`);
    }
  });
}

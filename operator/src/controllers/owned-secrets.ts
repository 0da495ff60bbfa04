// Secrets the controllers read live (a value written a moment ago must be seen, or credentials
// would be generated or registered twice) and Secrets they own (credentials they obtained for a
// resource, garbage-collected with it).
import { MANAGED_BY } from '../render/labels.js';
import type { KubeObject } from '../runtime/api-client.js';
import type { Manager } from '../runtime/manager.js';
import { FIELD_MANAGER } from './status-writer.js';

type Secret = KubeObject & { data?: Record<string, string> };

/** A Secret's decoded values, read from the API server; undefined when it does not exist. */
export async function readSecretValues(
  manager: Manager,
  namespace: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const secret = await manager.api.getOrUndefined<Secret>('v1', 'Secret', namespace, name);
  if (!secret) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

export function controllerReference(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A Secret owned by `owner` in its namespace, holding `values`. */
export function ownedSecret(owner: KubeObject, name: string, values: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      ownerReferences: [controllerReference(owner)],
    },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

/** Writes a Secret owned by `owner` in its namespace, replacing the keys this operator set. */
export async function writeOwnedSecret(
  manager: Manager,
  owner: KubeObject,
  name: string,
  values: Record<string, string>,
): Promise<void> {
  await manager.api.apply(ownedSecret(owner, name, values), FIELD_MANAGER);
}

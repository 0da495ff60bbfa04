// The namespace a DriveInstance needs before it can reconcile: its referenced Secrets, and a
// StorageMount, an OidcClient (its discovery status already written: no IdP in these runs) and
// a WopiClient, all three paused. Shared by the crash test and the benchmarks.
import { GROUP_VERSION } from '../api/kind.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import {
  driveInstanceResource,
  oidcClientResource,
  s3MountResource,
  wopiClientResource,
} from './resources.js';

export function opaqueSecret(
  namespace: string,
  name: string,
  data: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

/** Creates the namespace and everything `seededDriveInstance` refers to. */
export async function seedDriveDependencies(api: ApiClient, namespace: string): Promise<void> {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await api.create(
    opaqueSecret(namespace, 'media-credentials', {
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
    }),
  );
  await api.create(
    opaqueSecret(namespace, 'login-client', { client_id: 'drive', client_secret: 'c' }),
  );
  await api.create(
    opaqueSecret(namespace, 'shared-db', {
      host: 'db',
      port: '5432',
      dbname: 'drive',
      username: 'drive',
      password: 'p',
    }),
  );
  // Paused, all three: their endpoints are cluster DNS names and example.com hosts that must
  // not be contacted from here; the DriveInstance reads their specs and the seeded status.
  for (const resource of [s3MountResource(), oidcClientResource(), wopiClientResource()]) {
    resource.metadata = {
      ...(resource.metadata as Record<string, unknown>),
      namespace,
      annotations: { 'lasuite.selfhost.dev/reconcile': 'paused' },
    };
    await api.create(resource as KubeObject);
  }
  await api.applyStatus(
    {
      apiVersion: GROUP_VERSION,
      kind: 'OidcClient',
      metadata: { name: 'login', namespace },
      status: {
        endpoints: {
          authorization: 'https://sso/a',
          token: 'https://sso/t',
          userinfo: 'https://sso/u',
          jwks: 'https://sso/j',
        },
      },
    },
    'drive-seed',
  );
}

/** A DriveInstance on the seeded dependencies, with an external database (no CloudNativePG). */
export function seededDriveInstance(namespace: string, name: string): KubeObject {
  const resource = driveInstanceResource({
    host: `${name}.${namespace}.example.com`,
    database: { secretRef: { name: 'shared-db' } },
  });
  resource.metadata = { name, namespace };
  return resource as KubeObject;
}

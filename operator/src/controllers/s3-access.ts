// How the operator gets a bucket's own credentials and internal endpoint, per provider, each
// observe → create/update: external (a Secret the user gives), rgw (an RGW user created through
// admin-ops, keys generated here), seaweedfs (an IAM user with a bucket-scoped policy), rook (an
// ObjectBucketClaim, or a CephObjectStoreUser). What the provider hands out is written to a
// Secret in the mount's namespace, because Drive reads its keys from there.
import { randomBytes } from 'node:crypto';
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { RgwAdminEndpoint } from '../ports/s3/rgw-admin.js';
import type { SeaweedAdminEndpoint } from '../ports/s3/seaweedfs-iam.js';
import type { BucketTarget, S3Keys } from '../ports/s3/bucket.js';
import { MANAGED_BY } from '../render/labels.js';
import { bucketCredentials } from '../render/resolve-references.js';
import type { KubeObject } from '../runtime/api-client.js';
import { containsDesired } from '../runtime/live-state.js';
import type { Manager } from '../runtime/manager.js';
import { controllerReference, readSecretValues, writeOwnedSecret } from './owned-secrets.js';
import { FIELD_MANAGER, type Report, type StatusObject } from './status-writer.js';

export type S3Spec = NonNullable<StorageMountSpec['s3']>;

export const OBC_API_VERSION = 'objectbucket.io/v1alpha1';
const COSU_API_VERSION = 'ceph.rook.io/v1';

export interface S3Access {
  target: Omit<BucketTarget, 'bucket'>;
  /** The Secret in the mount's namespace that holds the keys Drive uses. */
  credentialsSecret: string;
  /** Whether the operator creates the bucket (Rook's claim creates its own). */
  createBucket: boolean;
}

export type AccessResult = { access: S3Access } | { waiting: Report };

const waiting = (reason: string, message: string, stalled = false): AccessResult => ({
  waiting: { outcome: { state: stalled ? 'Stalled' : 'Progressing', reason, message } },
});

/** A name for the store-side identity of a mount, unique per namespace and mount. */
function storeUserName(mount: StatusObject): string {
  return `lasuite-${mount.metadata.namespace ?? ''}-${mount.metadata.name}`;
}

function keysFrom(
  values: Record<string, string> | undefined,
  idKey = 'AWS_ACCESS_KEY_ID',
  secretKey = 'AWS_SECRET_ACCESS_KEY',
): S3Keys | undefined {
  const accessKeyId = values?.[idKey];
  const secretAccessKey = values?.[secretKey];
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** Server-side apply, skipped when the live object already has every desired field. */
async function applyIfChanged(manager: Manager, desired: KubeObject): Promise<KubeObject> {
  const live = await manager.api.getOrUndefined<KubeObject>(
    desired.apiVersion,
    desired.kind,
    desired.metadata.namespace,
    desired.metadata.name,
  );
  if (live && containsDesired(live, desired)) return live;
  return manager.api.apply(desired, FIELD_MANAGER);
}

/** Writes the keys Drive uses into the mount's credentials Secret (owned by the mount). */
function writeCredentials(manager: Manager, mount: StatusObject, keys: S3Keys, name: string) {
  return writeOwnedSecret(manager, mount, name, {
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  });
}

async function adminEndpoint(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<(RgwAdminEndpoint & SeaweedAdminEndpoint) | AccessResult> {
  const ref = s3.adminCredentials;
  const namespace = mount.metadata.namespace ?? '';
  if (!ref) return waiting('InvalidSpec', 's3.adminCredentials is required', true);
  const credentials = keysFrom(
    await readSecretValues(manager, namespace, ref.name),
    ref.accessKeyIdKey,
    ref.secretAccessKeyKey,
  );
  if (!credentials)
    return waiting(
      'ReferenceNotFound',
      `Secret ${ref.name} with keys ${ref.accessKeyIdKey} and ${ref.secretAccessKeyKey} (s3.adminCredentials) does not exist yet`,
    );
  return { endpoint: internalEndpointOf(s3), region: s3.region, credentials };
}

function internalEndpointOf(s3: S3Spec): string {
  return (s3.endpoints.internal ?? '').replace(/\/$/, '');
}

const isResult = (value: object): value is AccessResult => 'waiting' in value || 'access' in value;

async function externalAccess(manager: Manager, mount: StatusObject, s3: S3Spec) {
  const refs = bucketCredentials(mount.metadata.name, s3);
  const keys = keysFrom(
    await readSecretValues(manager, mount.metadata.namespace ?? '', refs.accessKeyId.name),
    refs.accessKeyId.key,
    refs.secretAccessKey.key,
  );
  if (!keys)
    return waiting(
      'ReferenceNotFound',
      `Secret ${refs.accessKeyId.name} with keys ${refs.accessKeyId.key} and ${refs.secretAccessKey.key} (s3.credentials) does not exist yet`,
    );
  return {
    access: {
      target: { endpoint: internalEndpointOf(s3), region: s3.region, credentials: keys },
      credentialsSecret: refs.accessKeyId.name,
      createBucket: false,
    },
  };
}

/** Records a store user the operator created or changed, and hands out its access. */
async function providedUser(
  manager: Manager,
  mount: StatusObject,
  action: 'created' | 'updated' | 'unchanged',
  what: string,
  access: S3Access,
): Promise<AccessResult> {
  if (action !== 'unchanged')
    await manager.events.record(
      mount,
      'Normal',
      action === 'created' ? 'UserCreated' : 'UserUpdated',
      `${what} ${action} at ${access.target.endpoint}`,
    );
  return { access };
}

async function rgwAccess(manager: Manager, mount: StatusObject, s3: S3Spec): Promise<AccessResult> {
  const admin = await adminEndpoint(manager, mount, s3);
  if (isResult(admin)) return admin;
  const secret = bucketCredentials(mount.metadata.name, s3).accessKeyId.name;
  let keys = keysFrom(await readSecretValues(manager, mount.metadata.namespace ?? '', secret));
  if (!keys) {
    // RGW accepts keys chosen by the caller: generated here, stored before the user exists,
    // so a crash in between leaves keys that the next reconcile gives to the user.
    keys = {
      accessKeyId: `LS${randomBytes(9).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64url'),
    };
    await writeCredentials(manager, mount, keys, secret);
  }
  // Adapters load on first use, like the S3 SDK they share (s3-mount.ts).
  const { ensureRgwUser } = await import('../ports/s3/rgw-admin.js');
  const action = await ensureRgwUser(admin, {
    uid: storeUserName(mount),
    displayName: `Drive storage ${mount.metadata.namespace ?? ''}/${mount.metadata.name}`,
    keys,
  });
  return providedUser(manager, mount, action, `RGW user ${storeUserName(mount)}`, {
    target: { endpoint: admin.endpoint, region: s3.region, credentials: keys },
    credentialsSecret: secret,
    createBucket: true,
  });
}

async function seaweedAccess(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<AccessResult> {
  const admin = await adminEndpoint(manager, mount, s3);
  if (isResult(admin)) return admin;
  const secret = bucketCredentials(mount.metadata.name, s3).accessKeyId.name;
  const current = keysFrom(await readSecretValues(manager, mount.metadata.namespace ?? '', secret));
  const { ensureSeaweedIdentity } = await import('../ports/s3/seaweedfs-iam.js');
  const { keys, action } = await ensureSeaweedIdentity(admin, {
    userName: storeUserName(mount),
    bucket: s3.bucket.name,
    current,
  });
  if (keys.accessKeyId !== current?.accessKeyId || keys.secretAccessKey !== current.secretAccessKey)
    await writeCredentials(manager, mount, keys, secret);
  return providedUser(
    manager,
    mount,
    action,
    `SeaweedFS identity ${storeUserName(mount)}, limited to bucket ${s3.bucket.name},`,
    {
      target: { endpoint: admin.endpoint, region: s3.region, credentials: keys },
      credentialsSecret: secret,
      createBucket: true,
    },
  );
}

/** Rook's ObjectBucketClaim: Rook creates the bucket and writes a Secret and a ConfigMap. */
async function rookClaimAccess(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<AccessResult> {
  const namespace = mount.metadata.namespace ?? '';
  const name = bucketCredentials(mount.metadata.name, s3).accessKeyId.name;
  const claim = (await applyIfChanged(manager, {
    apiVersion: OBC_API_VERSION,
    kind: 'ObjectBucketClaim',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      ownerReferences: [controllerReference(mount)],
    },
    spec: { bucketName: s3.bucket.name, storageClassName: s3.rook?.storageClassName },
  })) as KubeObject & { status?: { phase?: string } };
  const phase = claim.status?.phase ?? 'Pending';
  if (phase === 'Failed')
    return waiting(
      'WaitingForBucketClaim',
      `ObjectBucketClaim ${name} failed; see its events and the Rook operator's log`,
      true,
    );
  if (phase !== 'Bound')
    return waiting('WaitingForBucketClaim', `ObjectBucketClaim ${name} is ${phase}, not Bound yet`);
  const keys = keysFrom(await readSecretValues(manager, namespace, name));
  const configMap = await manager.api.getOrUndefined<
    KubeObject & { data?: Record<string, string> }
  >('v1', 'ConfigMap', namespace, name);
  const host = configMap?.data?.BUCKET_HOST;
  const port = configMap?.data?.BUCKET_PORT ?? '80';
  if (!keys || (!host && !s3.endpoints.internal))
    return waiting(
      'WaitingForBucketClaim',
      `ObjectBucketClaim ${name} is Bound but its Secret or ConfigMap is not complete yet`,
    );
  const endpoint =
    s3.endpoints.internal?.replace(/\/$/, '') ??
    `${port === '443' ? 'https' : 'http'}://${host ?? ''}:${port}`;
  return {
    access: {
      target: { endpoint, region: s3.region, credentials: keys },
      credentialsSecret: name,
      createBucket: false,
    },
  };
}

/** A CephObjectStoreUser in the store's namespace; its keys are copied next to the mount. */
async function rookUserAccess(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<AccessResult> {
  const store = s3.rook?.objectStore;
  if (!store) return waiting('InvalidSpec', 's3.rook.objectStore is required', true);
  const user = storeUserName(mount);
  await applyIfChanged(manager, {
    apiVersion: COSU_API_VERSION,
    kind: 'CephObjectStoreUser',
    metadata: {
      name: user,
      namespace: store.namespace,
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      // Owner references cannot cross namespaces: the cleanup deletes it by name.
      annotations: {
        'lasuite.selfhost.dev/storage-mount': `${mount.metadata.namespace ?? ''}/${mount.metadata.name}`,
      },
    },
    spec: {
      store: store.name,
      displayName: `Drive storage ${mount.metadata.namespace ?? ''}/${mount.metadata.name}`,
    },
  });
  const rookSecret = `rook-ceph-object-user-${store.name}-${user}`;
  const values = await readSecretValues(manager, store.namespace, rookSecret);
  const keys = keysFrom(values, 'AccessKey', 'SecretKey');
  const endpoint = s3.endpoints.internal?.replace(/\/$/, '') ?? values?.Endpoint;
  if (!keys || !endpoint)
    return waiting(
      'WaitingForBucketClaim',
      `CephObjectStoreUser ${store.namespace}/${user} has no Secret ${rookSecret} yet`,
    );
  const secret = bucketCredentials(mount.metadata.name, s3).accessKeyId.name;
  const current = keysFrom(await readSecretValues(manager, mount.metadata.namespace ?? '', secret));
  if (current?.accessKeyId !== keys.accessKeyId || current.secretAccessKey !== keys.secretAccessKey)
    await writeCredentials(manager, mount, keys, secret);
  return {
    access: {
      target: { endpoint: endpoint.replace(/\/$/, ''), region: s3.region, credentials: keys },
      credentialsSecret: secret,
      createBucket: true,
    },
  };
}

export function resolveS3Access(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<AccessResult> {
  switch (s3.provider) {
    case 'external':
      return externalAccess(manager, mount, s3);
    case 'rgw':
      return rgwAccess(manager, mount, s3);
    case 'seaweedfs':
      return seaweedAccess(manager, mount, s3);
    case 'rook':
      return s3.rook?.identity === 'CephObjectStoreUser'
        ? rookUserAccess(manager, mount, s3)
        : rookClaimAccess(manager, mount, s3);
  }
}

/** Removes the store-side identity the operator created for a mount (reclaimPolicy Delete). */
export async function deleteS3Identity(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<void> {
  if (s3.provider === 'rgw' || s3.provider === 'seaweedfs') {
    const admin = await adminEndpoint(manager, mount, s3);
    if (isResult(admin)) throw new Error(`cannot remove the store user: ${describeWaiting(admin)}`);
    if (s3.provider === 'rgw')
      await (await import('../ports/s3/rgw-admin.js')).deleteRgwUser(admin, storeUserName(mount));
    else
      await (
        await import('../ports/s3/seaweedfs-iam.js')
      ).deleteSeaweedIdentity(admin, storeUserName(mount));
  }
  const store = s3.rook?.objectStore;
  if (s3.provider === 'rook' && s3.rook?.identity === 'CephObjectStoreUser' && store)
    await manager.api.delete(
      COSU_API_VERSION,
      'CephObjectStoreUser',
      store.namespace,
      storeUserName(mount),
    );
  // An ObjectBucketClaim is owned by the mount; the garbage collector removes it.
}

export function describeWaiting(result: AccessResult): string {
  const outcome = 'waiting' in result ? result.waiting.outcome : undefined;
  return outcome && 'message' in outcome ? outcome.message : 'credentials are not available';
}

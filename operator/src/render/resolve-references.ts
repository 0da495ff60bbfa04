// From the specs a DriveInstance references, plus facts only a live system knows (discovered
// endpoints, the endpoint an ObjectBucketClaim was given), to the inputs of the Drive env
// contract. The operator passes real facts; offline rendering passes marked placeholders.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { OidcClientSpec } from '../api/oidc-client.js';
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { WopiClientSpec } from '../api/wopi-client.js';
import type {
  EnvSource,
  KeyRef,
  ResolvedDatabase,
  ResolvedEditor,
  ResolvedIdentity,
  ResolvedStorage,
} from '../contract/drive-env.js';
import type { ResolvedEditorRoute } from './drive-inputs.js';
import { COLLABORA_PORT, objectNames, serviceUrl } from './object-names.js';

export type S3Spec = NonNullable<StorageMountSpec['s3']>;

/** Where the credentials Drive uses for a bucket live. */
export function bucketCredentials(
  mount: string,
  s3: S3Spec,
): { accessKeyId: KeyRef; secretAccessKey: KeyRef } {
  if (s3.credentials) {
    return {
      accessKeyId: { name: s3.credentials.name, key: s3.credentials.accessKeyIdKey },
      secretAccessKey: { name: s3.credentials.name, key: s3.credentials.secretAccessKeyKey },
    };
  }
  // Rook writes the claim's Secret itself; for every other provider the operator writes one,
  // with the same keys.
  const secret =
    s3.provider === 'rook' && s3.rook?.identity !== 'CephObjectStoreUser'
      ? objectNames.objectBucketClaim(mount)
      : objectNames.storageCredentialsSecret(mount);
  return {
    accessKeyId: { name: secret, key: 'AWS_ACCESS_KEY_ID' },
    secretAccessKey: { name: secret, key: 'AWS_SECRET_ACCESS_KEY' },
  };
}

export function resolveStorage(
  mount: string,
  s3: S3Spec,
  facts: { internalEndpoint?: string },
): ResolvedStorage {
  const internalEndpoint = s3.endpoints.internal ?? facts.internalEndpoint;
  if (internalEndpoint === undefined) {
    throw new Error(`StorageMount ${mount}: no internal endpoint known yet`);
  }
  return {
    bucket: s3.bucket.name,
    region: s3.region,
    internalEndpoint,
    publicEndpoint: s3.endpoints.public,
    ...bucketCredentials(mount, s3),
  };
}

/** Where the client id and secret Drive uses live. */
export function clientCredentials(
  client: string,
  spec: OidcClientSpec,
): { clientId: EnvSource; clientSecret: KeyRef } {
  const ref = spec.credentials.secretRef;
  if (ref) {
    return {
      clientId:
        spec.clientId === undefined
          ? { secretKeyRef: { name: ref.name, key: ref.clientIdKey } }
          : { value: spec.clientId },
      clientSecret: { name: ref.name, key: ref.clientSecretKey },
    };
  }
  const secret = objectNames.oidcCredentialsSecret(client);
  return {
    clientId: { secretKeyRef: { name: secret, key: 'client_id' } },
    clientSecret: { name: secret, key: 'client_secret' },
  };
}

export function resolveIdentity(
  client: string,
  spec: OidcClientSpec,
  endpoints: ResolvedIdentity['endpoints'],
): ResolvedIdentity {
  return {
    issuer: spec.issuer,
    endpoints,
    ...clientCredentials(client, spec),
    scopes: spec.scopes,
    storeClaims: spec.storeClaims,
    userInfo: spec.userInfo,
  };
}

/** Where a managed Collabora is reached: its Service, discovery URL and public host. */
export function managedEditorRoute(
  wopiClient: string,
  namespace: string,
  spec: WopiClientSpec,
): ResolvedEditorRoute {
  const service = objectNames.collaboraService(wopiClient);
  return {
    ...resolveEditor(spec, serviceUrl(service, namespace, COLLABORA_PORT, '/hosting/discovery')),
    managed: {
      resource: wopiClient,
      service,
      port: COLLABORA_PORT,
      replicas: spec.managed?.replicas ?? 1,
      ...(spec.managed?.host === undefined ? {} : { host: spec.managed.host }),
    },
  };
}

export function editorClientName(spec: WopiClientSpec): string {
  return spec.clientName ?? spec.type;
}

export function resolveEditor(spec: WopiClientSpec, discoveryUrl: string): ResolvedEditor {
  return {
    clientName: editorClientName(spec),
    discoveryUrl,
    // drive-contract §6: Collabora does not tell Drive about renames.
    options: { SupportsRename: spec.options.supportsRename ?? spec.type !== 'collabora' },
  };
}

export function resolveDatabase(
  drive: string,
  database: DriveInstanceSpec['database'],
): ResolvedDatabase {
  if (database.secretRef) {
    const { name, keys } = database.secretRef;
    return {
      host: { secretKeyRef: { name, key: keys.host } },
      port: { secretKeyRef: { name, key: keys.port } },
      name: { secretKeyRef: { name, key: keys.name } },
      user: { secretKeyRef: { name, key: keys.user } },
      password: { name, key: keys.password },
    };
  }
  const secret = objectNames.cloudNativePGAppSecret(objectNames.databaseCluster(drive));
  return {
    host: { secretKeyRef: { name: secret, key: 'host' } },
    port: { secretKeyRef: { name: secret, key: 'port' } },
    name: { secretKeyRef: { name: secret, key: 'dbname' } },
    user: { secretKeyRef: { name: secret, key: 'username' } },
    password: { name: secret, key: 'password' },
  };
}

export function redisUrl(drive: string, redis: DriveInstanceSpec['redis']): KeyRef {
  if (redis.secretRef) return { name: redis.secretRef.name, key: redis.secretRef.key };
  return { name: objectNames.redis(drive), key: 'url' };
}

export const DJANGO_SECRET_KEY_KEY = 'DJANGO_SECRET_KEY';

export function djangoSecretKey(drive: string): KeyRef {
  return { name: objectNames.generatedSecret(drive), key: DJANGO_SECRET_KEY_KEY };
}

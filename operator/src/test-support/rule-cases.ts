// One case per admission rule, shared by the offline schema tests and the API server tests, so
// `lasuitectl validate` and admission are proven to reject the same things.
import {
  driveInstanceResource,
  oidcClientResource,
  s3MountResource,
  smbMountResource,
  wopiClientResource,
  type Mutable,
} from './resources.js';

function withSpec(resource: Mutable, patch: (spec: Mutable) => void): Mutable {
  const copy = structuredClone(resource);
  patch(copy.spec as Mutable);
  return copy;
}

/** A minimal valid resource of each kind (and both StorageMount types). */
export const RESOURCES = [
  driveInstanceResource(),
  s3MountResource(),
  smbMountResource(),
  oidcClientResource(),
  wopiClientResource(),
];

const s3 = (spec: Mutable) => spec.s3 as Mutable;
const smb = (spec: Mutable) => spec.smb as Mutable;

/** [what, resource, field path, message fragment]. */
export const RULE_CASES: [string, Mutable, string, string][] = [
  [
    'unpinned version',
    driveInstanceResource({ version: 'latest' }),
    'spec.version',
    'latest is not a pinned version',
  ],
  [
    'a mount named like a path of the mounts service',
    driveInstanceResource({ mounts: [{ name: 'auth' }] }),
    'spec.mounts[0].name',
    'this name is a path of the mounts service',
  ],
  [
    'unpinned image',
    driveInstanceResource({ images: { backend: 'lasuite/drive-backend:latest' } }),
    'spec.images.backend',
    'images must be pinned',
  ],
  [
    'image without tag',
    driveInstanceResource({ images: { frontend: 'mirror.example.com/drive-frontend' } }),
    'spec.images.frontend',
    'images must be pinned',
  ],
  [
    'two TLS sources',
    driveInstanceResource({ tls: { secretName: 'a', issuerRef: { name: 'b' } } }),
    'spec.tls',
    'exactly one of tls.secretName or tls.issuerRef',
  ],
  [
    'no TLS source',
    driveInstanceResource({ tls: {} }),
    'spec.tls',
    'exactly one of tls.secretName or tls.issuerRef',
  ],
  [
    'gateway without parents',
    driveInstanceResource({ edge: { type: 'gateway' } }),
    'spec.edge.gateway',
    'edge.gateway is required',
  ],
  [
    'traefik options on nginx',
    driveInstanceResource({ edge: { type: 'nginx', traefik: {} } }),
    'spec.edge.traefik',
    'edge.traefik is only allowed',
  ],
  [
    'ingress class on gateway',
    driveInstanceResource({
      edge: { type: 'gateway', ingressClassName: 'x', gateway: { parentRefs: [{ name: 'gw' }] } },
    }),
    'spec.edge.ingressClassName',
    'does not apply to gateway',
  ],
  [
    'empty edge peer',
    driveInstanceResource({ edge: { networkPeers: [{}] } }),
    'spec.edge.networkPeers[0]',
    'an edge peer needs namespaceLabels, podLabels or both',
  ],
  [
    'two databases',
    driveInstanceResource({ database: { cloudNativePG: {}, secretRef: { name: 'db' } } }),
    'spec.database',
    'exactly one of database.secretRef or database.cloudNativePG',
  ],
  [
    'two redis',
    driveInstanceResource({ redis: { managed: {}, secretRef: { name: 'r' } } }),
    'spec.redis',
    'exactly one of redis.secretRef or redis.managed',
  ],
  [
    'autoscaling bounds',
    driveInstanceResource({ backend: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }),
    'spec.backend.autoscaling.minReplicas',
    'must not exceed autoscaling.maxReplicas',
  ],
  [
    'chunk above max size',
    driveInstanceResource({
      upload: { chunkSizeBytes: 64 * 1024 * 1024, maxFileSizeBytes: 32 * 1024 * 1024 },
    }),
    'spec.upload.chunkSizeBytes',
    'must not exceed upload.maxFileSizeBytes',
  ],
  [
    'managed env name',
    driveInstanceResource({ extraEnv: [{ name: 'MEDIA_BASE_URL', value: 'x' }] }),
    'spec.extraEnv[0].name',
    'set by the operator',
  ],
  [
    'secret file override',
    driveInstanceResource({ extraEnv: [{ name: 'DJANGO_SECRET_KEY_FILE', value: '/x' }] }),
    'spec.extraEnv[0].name',
    'set by the operator',
  ],
  [
    'WOPI client env',
    driveInstanceResource({ extraEnv: [{ name: 'WOPI_COLLABORA_DISCOVERY_URL', value: 'x' }] }),
    'spec.extraEnv[0].name',
    'WOPI client variables come from WopiClient',
  ],
  [
    'TRASHBIN_CUTOFF_DAYS',
    driveInstanceResource({ extraEnv: [{ name: 'TRASHBIN_CUTOFF_DAYS', value: '3' }] }),
    'spec.extraEnv[0].name',
    'TRASHBIN_CUTOFF_DAYS must not be set',
  ],
  [
    'PURGE_GRACE_DAYS',
    driveInstanceResource({ extraEnv: [{ name: 'PURGE_GRACE_DAYS', value: '3' }] }),
    'spec.extraEnv[0].name',
    'PURGE_GRACE_DAYS must not be set',
  ],
  [
    'THEME_CUSTOMIZATION_CACHE_TIMEOUT',
    driveInstanceResource({
      extraEnv: [{ name: 'THEME_CUSTOMIZATION_CACHE_TIMEOUT', value: '3' }],
    }),
    'spec.extraEnv[0].name',
    'THEME_CUSTOMIZATION_CACHE_TIMEOUT must not be set',
  ],
  [
    'AWS_SESSION_TOKEN',
    driveInstanceResource({ extraEnv: [{ name: 'AWS_SESSION_TOKEN', value: '3' }] }),
    'spec.extraEnv[0].name',
    'AWS_SESSION_TOKEN must not be set',
  ],
  [
    'AWS_SECURITY_TOKEN',
    driveInstanceResource({ extraEnv: [{ name: 'AWS_SECURITY_TOKEN', value: '3' }] }),
    'spec.extraEnv[0].name',
    'AWS_SECURITY_TOKEN must not be set',
  ],
  [
    'env value and valueFrom',
    driveInstanceResource({
      extraEnv: [{ name: 'FOO', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    }),
    'spec.extraEnv[0]',
    'exactly one of value or valueFrom',
  ],
  [
    'env valueFrom twice',
    driveInstanceResource({
      extraEnv: [
        {
          name: 'FOO',
          valueFrom: {
            secretKeyRef: { name: 's', key: 'k' },
            configMapKeyRef: { name: 'c', key: 'k' },
          },
        },
      ],
    }),
    'spec.extraEnv[0].valueFrom',
    'exactly one of valueFrom.secretKeyRef or valueFrom.configMapKeyRef',
  ],
  [
    'resource server without audience',
    driveInstanceResource({ resourceServer: { enabled: true } }),
    'spec.resourceServer.allowedAudiences',
    'needs at least one audience',
  ],
  [
    's3 block missing',
    withSpec(s3MountResource(), (spec) => delete spec.s3),
    'spec.s3',
    's3 is required when type is s3',
  ],
  [
    'smb block on s3',
    withSpec(s3MountResource(), (spec) => (spec.smb = (smbMountResource().spec as Mutable).smb)),
    'spec.smb',
    'smb is required when type is smb',
  ],
  [
    'rook without options',
    withSpec(
      s3MountResource({ provider: 'rook', credentials: undefined }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.rook',
    's3.rook is required when s3.provider is rook',
  ],
  [
    'no internal endpoint',
    s3MountResource({ endpoints: { public: 'https://s3.example.com' } }),
    'spec.s3.endpoints.internal',
    'internal is required unless s3.provider is rook',
  ],
  [
    'external without credentials',
    withSpec(s3MountResource(), (spec) => delete s3(spec).credentials),
    'spec.s3.credentials',
    's3.credentials is required when s3.provider is external',
  ],
  [
    'rgw without admin credentials',
    withSpec(s3MountResource({ provider: 'rgw' }), (spec) => delete s3(spec).credentials),
    'spec.s3.adminCredentials',
    's3.adminCredentials is required',
  ],
  [
    'external options on rgw',
    withSpec(
      s3MountResource({ provider: 'rgw', adminCredentials: { name: 'a' }, external: {} }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.external',
    's3.external is only allowed',
  ],
  [
    'object store user without store',
    withSpec(
      s3MountResource({
        provider: 'rook',
        rook: { storageClassName: 'b', identity: 'CephObjectStoreUser' },
      }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.rook.objectStore',
    'rook.objectStore is required',
  ],
  [
    'smb subject twice',
    smbMountResource({ roles: [{ subject: { sub: 'a', email: 'a@b.c' }, role: 'viewer' }] }),
    'spec.smb.roles[0].subject',
    'exactly one of subject.sub, subject.email or subject.group',
  ],
  [
    'smb path with ..',
    withSpec(smbMountResource(), (spec) => (smb(spec).path = '/drive/../etc')),
    'spec.smb.path',
    'must not contain .. segments',
  ],
  [
    'two credential modes',
    oidcClientResource({
      credentials: {
        secretRef: { name: 'a' },
        keycloak: {
          url: 'https://sso',
          realm: 'r',
          adminCredentialsSecretRef: { name: 'k' },
        },
      },
    }),
    'spec.credentials',
    'exactly one of credentials.secretRef',
  ],
  [
    'keycloak without clientId',
    oidcClientResource({
      credentials: {
        keycloak: {
          url: 'https://sso.example.com',
          realm: 'r',
          adminCredentialsSecretRef: { name: 'k' },
        },
      },
    }),
    'spec.clientId',
    'clientId is required with credentials.keycloak',
  ],
  [
    'registration with clientId',
    oidcClientResource({
      clientId: 'drive',
      credentials: { dynamicRegistration: { initialAccessTokenSecretRef: { name: 'iat' } } },
    }),
    'spec.clientId',
    'clientId must be omitted',
  ],
  [
    'scopes without openid',
    oidcClientResource({ scopes: ['email'] }),
    'spec.scopes',
    'scopes must include openid',
  ],
  [
    'editor external and managed',
    wopiClientResource({ managed: {} }),
    'spec',
    'exactly one of external or managed',
  ],
  [
    'managed onlyoffice',
    wopiClientResource({ type: 'onlyoffice', external: undefined, managed: {} }),
    'spec.managed',
    'Collabora Online only',
  ],
];

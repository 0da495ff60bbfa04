// Where each service of a Compose project runs and how the others reach it: one Docker host, or
// three VMs (edge, apps, storage) that reach each other on private addresses; and the Secret keys
// the project itself provides.
import type { KeyRef } from '../../contract/drive-env.js';
import { objectNames } from '../object-names.js';
import { SMB_MOUNT_PORT, SMB_MOUNT_SECRET_KEYS } from '../smb-mounts.js';
import { bucketCredentials, djangoSecretKey } from '../resolve-references.js';
import { ComposeError, type ComposeResources } from './compose-resources.js';
import { escapeCompose, SecretValues } from './compose-values.js';

export type Role = 'edge' | 'apps' | 'storage';

export const PORTS = {
  backend: 8000,
  frontend: 8080,
  postgres: 5432,
  redis: 6379,
  keycloak: 8080,
  mediaGateway: 8080,
  collabora: 9980,
  mounts: SMB_MOUNT_PORT,
} as const;

/** Service names, which are also the host names the services reach each other by. */
export const SERVICES = {
  edge: 'edge',
  mediaGateway: 'media-gateway',
  backend: 'backend',
  frontend: 'frontend',
  worker: 'worker',
  beat: 'beat',
  migrate: 'migrate',
  configureWopi: 'configure-wopi',
  maintenance: 'maintenance',
  redis: 'redis',
  postgres: 'postgres',
  seaweedfs: 'seaweedfs',
  storageInit: 'storage-init',
  keycloak: 'keycloak',
  mounts: 'mounts',
} as const;

/** The managed database's fixed names; only its password is secret. */
export const DATABASE = { name: 'drive', user: 'drive' } as const;

/** Where the init job leaves a SeaweedFS bucket's keys for Drive (a named volume). */
export const S3_CREDENTIALS_DIRECTORY = '/run/lasuite/s3';

const ROLE_OF_SERVICE: Record<string, Role> = {
  [SERVICES.edge]: 'edge',
  [SERVICES.mediaGateway]: 'edge',
  [SERVICES.postgres]: 'storage',
  [SERVICES.seaweedfs]: 'storage',
};

export function roleOf(service: string): Role {
  return ROLE_OF_SERVICE[service] ?? 'apps';
}

/** Synthetic Secret names for what only the project has: Keycloak's accounts. */
export const KEYCLOAK_SECRETS = {
  admin: { name: 'keycloak-admin', key: 'password' },
  testUser: { name: 'keycloak-test-user', key: 'password' },
} as const satisfies Record<string, KeyRef>;

export interface ComposeContext {
  resources: ComposeResources;
  secrets: SecretValues;
  split: boolean;
  /** host:port by which a service of role `from` reaches `service`. */
  endpoint(from: Role, service: string, port: number): string;
  /** The private address a role publishes its ports on (split layout only). */
  addressOf(role: Role): string | undefined;
  /** Where SeaweedFS listens for S3, when the project runs it. */
  seaweedfs?: { port: number };
  /** Who references each Secret, for the comments of .env. */
  usedBy(secret: string): string;
}

function seaweedfsPort(resources: ComposeResources, split: boolean, storageAddress?: string) {
  const { storage } = resources;
  if (storage.s3.provider !== 'seaweedfs') return undefined;
  const internal = storage.s3.endpoints.internal ?? '';
  const url = new URL(internal);
  const host = split ? storageAddress : SERVICES.seaweedfs;
  if (url.hostname !== host || url.protocol !== 'http:') {
    throw new ComposeError(
      'StorageMount',
      storage.name,
      ['spec', 's3', 'endpoints', 'internal'],
      `SeaweedFS runs in the project as service ${SERVICES.seaweedfs}${split ? ` on the storage VM (${storageAddress ?? ''})` : ''}, so Drive must reach it at http://${host ?? ''}:<port>`,
      `set it to http://${host ?? ''}:8333`,
    );
  }
  return { port: url.port === '' ? 80 : Number(url.port) };
}

function usedByTable(resources: ComposeResources): Map<string, string> {
  const { drive, storage, identity } = resources;
  const table = new Map<string, string>();
  const add = (ref: { name: string } | undefined, what: string) => {
    if (ref && !table.has(ref.name)) table.set(ref.name, what);
  };
  add(drive.spec.database.secretRef, `DriveInstance ${drive.name} spec.database.secretRef`);
  add(drive.spec.redis.secretRef, `DriveInstance ${drive.name} spec.redis.secretRef`);
  add(storage.s3.credentials, `StorageMount ${storage.name} spec.s3.credentials`);
  add(
    identity.spec.credentials.secretRef,
    `OidcClient ${identity.name} spec.credentials.secretRef`,
  );
  for (const mount of resources.smbMounts)
    add(mount.smb.credentialsSecretRef, `StorageMount ${mount.name} spec.smb.credentialsSecretRef`);
  for (const extra of drive.spec.extraEnv) {
    add(extra.valueFrom?.secretKeyRef, `DriveInstance ${drive.name} spec.extraEnv[${extra.name}]`);
    add(
      extra.valueFrom?.configMapKeyRef,
      `DriveInstance ${drive.name} spec.extraEnv[${extra.name}] (a ConfigMap key in a cluster)`,
    );
  }
  return table;
}

/** Registers every Secret key the project generates or knows itself. */
function registerSecrets(context: ComposeContext): void {
  const { secrets, resources } = context;
  const { drive, storage, identity, project } = resources;
  secrets.generated(
    djangoSecretKey(drive.name),
    64,
    `Django SECRET_KEY of DriveInstance ${drive.name}`,
  );
  if (drive.spec.redis.managed) {
    const name = objectNames.redis(drive.name);
    const password = secrets.generated(
      { name, key: 'password' },
      32,
      `password of the project Redis (DriveInstance ${drive.name} spec.redis.managed)`,
    );
    secrets.template(
      { name, key: 'url' },
      `redis://:${password}@${context.endpoint('apps', SERVICES.redis, PORTS.redis)}/0`,
    );
  }
  if (drive.spec.database.cloudNativePG) {
    const name = objectNames.cloudNativePGAppSecret(objectNames.databaseCluster(drive.name));
    const [host = SERVICES.postgres, port = String(PORTS.postgres)] = context
      .endpoint('apps', SERVICES.postgres, PORTS.postgres)
      .split(':');
    secrets.literal({ name, key: 'host' }, host);
    secrets.literal({ name, key: 'port' }, port);
    secrets.literal({ name, key: 'dbname' }, DATABASE.name);
    secrets.literal({ name, key: 'username' }, DATABASE.user);
    secrets.generated(
      { name, key: 'password' },
      32,
      `password of the project PostgreSQL (DriveInstance ${drive.name} spec.database.cloudNativePG)`,
    );
  }
  const s3 = storage.s3;
  if (s3.provider === 'seaweedfs' && s3.adminCredentials) {
    const admin = s3.adminCredentials;
    const what = `of the SeaweedFS admin identity (StorageMount ${storage.name} spec.s3.adminCredentials)`;
    secrets.generated({ name: admin.name, key: admin.accessKeyIdKey }, 20, `access key id ${what}`);
    secrets.generated(
      { name: admin.name, key: admin.secretAccessKeyKey },
      40,
      `secret access key ${what}`,
    );
    const keys = bucketCredentials(storage.name, s3);
    const directory = `${S3_CREDENTIALS_DIRECTORY}/${storage.name}`;
    secrets.file(keys.accessKeyId, `${directory}/${keys.accessKeyId.key}`);
    secrets.file(keys.secretAccessKey, `${directory}/${keys.secretAccessKey.key}`);
  }
  if (resources.smbMounts.length > 0)
    for (const key of Object.values(SMB_MOUNT_SECRET_KEYS))
      secrets.generated(
        { name: objectNames.mountsSecret(drive.name), key },
        48,
        `${key} of the SMB mounts service (DriveInstance ${drive.name} spec.mounts)`,
      );
  const keycloakCredentials = identity.spec.credentials.keycloak;
  if (keycloakCredentials && project.spec.keycloak) {
    const name = objectNames.oidcCredentialsSecret(identity.name);
    secrets.literal({ name, key: 'client_id' }, identity.spec.clientId ?? identity.name);
    secrets.generated(
      { name, key: 'client_secret' },
      48,
      `client secret of OidcClient ${identity.name} in the project Keycloak`,
    );
    secrets.generated(KEYCLOAK_SECRETS.admin, 24, 'password of Keycloak admin (master realm)');
    secrets.generated(
      KEYCLOAK_SECRETS.testUser,
      16,
      `password of the test user ${project.spec.keycloak.testUser.username} in realm ${keycloakCredentials.realm}`,
    );
  }
}

export function composeContext(resources: ComposeResources): ComposeContext {
  const { layout } = resources.project.spec;
  const split = layout.type === 'split';
  const addresses: Partial<Record<Role, string>> = {
    apps: layout.split?.apps.address,
    storage: layout.split?.storage.address,
  };
  const usedBy = usedByTable(resources);
  const context: ComposeContext = {
    resources,
    secrets: new SecretValues(),
    split,
    endpoint(from, service, port) {
      const role = roleOf(service);
      const host = split && role !== from ? addresses[role] : service;
      return `${host ?? service}:${String(port)}`;
    },
    addressOf: (role) => (split ? addresses[role] : undefined),
    usedBy: (secret) => usedBy.get(secret) ?? `the Drive environment`,
  };
  const seaweedfs = seaweedfsPort(resources, split, addresses.storage);
  if (seaweedfs) context.seaweedfs = seaweedfs;
  registerSecrets(context);
  return context;
}

/** `escapeCompose` for every string of a command. */
export function composeCommand(argv: readonly string[]): string[] {
  return argv.map(escapeCompose);
}

// The bucket of a Compose project: SeaweedFS when the StorageMount's provider is seaweedfs (seed
// §6.3: SeaweedFS for Docker), and the storage-init job, which runs the operator's own bucket code
// (ports/s3) from the operator image: the identity limited to the bucket (SeaweedFS), then the
// bucket with versioning, CORS and lifecycle, each read back.
import { bucketPermissions, bucketSettings } from '../bucket-settings.js';
import { bucketCredentials } from '../resolve-references.js';
import { S3_CREDENTIALS_DIRECTORY, SERVICES, type ComposeContext } from './compose-context.js';
import {
  dependsOn,
  HARDENED,
  healthcheck,
  httpHealthcheck,
  LONG_RUNNING,
  ONE_SHOT,
  type ComposeService,
  type ComposeVolume,
} from './compose-service.js';
import type { BucketPermissions, BucketSettings } from '../../ports/s3/bucket.js';

export const STORAGE_CREDENTIALS_VOLUME = 'storage-credentials';
const SEAWEEDFS_VOLUME = 'seaweedfs-data';
/** Where storage-init reads its configuration file. */
export const STORAGE_INIT_CONFIG_DIRECTORY = '/etc/lasuite/storage';

/** What `lasuitectl storage-init` does, as the renderer decided it. */
export interface StorageInitConfig {
  storageMount: string;
  provider: 'seaweedfs' | 'external';
  endpoint: string;
  region: string;
  bucket: string;
  settings: BucketSettings;
  permissions: BucketPermissions;
  /** SeaweedFS: the identity created for the bucket, and where its keys go for Drive. */
  identity?: { userName: string; credentialsDirectory: string };
}

/** The environment storage-init reads its keys from. */
export const STORAGE_INIT_ENV = {
  adminAccessKeyId: 'S3_ADMIN_ACCESS_KEY_ID',
  adminSecretAccessKey: 'S3_ADMIN_SECRET_ACCESS_KEY',
  accessKeyId: 'S3_ACCESS_KEY_ID',
  secretAccessKey: 'S3_SECRET_ACCESS_KEY',
} as const;

export function storageInitConfig(context: ComposeContext): StorageInitConfig {
  const { storage, drive } = context.resources;
  const s3 = storage.s3;
  const seaweedfs = s3.provider === 'seaweedfs';
  return {
    storageMount: storage.name,
    provider: seaweedfs ? 'seaweedfs' : 'external',
    endpoint: (s3.endpoints.internal ?? '').replace(/\/$/, ''),
    region: s3.region,
    bucket: s3.bucket.name,
    settings: bucketSettings(s3, [drive.spec.host]),
    // The project's SeaweedFS has no bucket until this job creates it.
    permissions: bucketPermissions(s3, seaweedfs),
    ...(seaweedfs
      ? {
          identity: {
            userName: `lasuite-${storage.name}`,
            credentialsDirectory: `${S3_CREDENTIALS_DIRECTORY}/${storage.name}`,
          },
        }
      : {}),
  };
}

export function storageConfigFile(context: ComposeContext): string {
  return `compose/storage/${context.resources.storage.name}.json`;
}

export function storageServices(context: ComposeContext): {
  services: ComposeService[];
  volumes: ComposeVolume[];
} {
  const { storage, project } = context.resources;
  const s3 = storage.s3;
  const services: ComposeService[] = [];
  const volumes: ComposeVolume[] = [];
  const usedBy = `StorageMount ${storage.name}`;
  let keys: Record<string, string>;
  if (context.seaweedfs && s3.adminCredentials) {
    const admin = s3.adminCredentials;
    const adminKey = context.secrets.interpolation(
      { name: admin.name, key: admin.accessKeyIdKey },
      usedBy,
    );
    const adminSecret = context.secrets.interpolation(
      { name: admin.name, key: admin.secretAccessKeyKey },
      usedBy,
    );
    const port = String(context.seaweedfs.port);
    const storageAddress = context.addressOf('storage');
    services.push({
      name: SERVICES.seaweedfs,
      role: 'storage',
      definition: {
        image: project.spec.images.seaweedfs,
        entrypoint: ['/usr/bin/weed'],
        command: [
          'mini',
          '-dir=/data',
          '-ip=127.0.0.1',
          '-ip.bind=0.0.0.0',
          `-s3.port=${port}`,
          // IAM writes create the bucket's own identity (storage-init).
          '-s3.iam.readOnly=false',
          // Telemetry would reach for an internet host; the UIs are not needed.
          '-master.telemetry=false',
          '-webdav=false',
          '-admin.ui=false',
          '-s3.port.iceberg=0',
          '-s3.port.lance=0',
        ],
        // The admin identity SeaweedFS creates at start, which storage-init uses.
        environment: { AWS_ACCESS_KEY_ID: adminKey, AWS_SECRET_ACCESS_KEY: adminSecret },
        volumes: [`${SEAWEEDFS_VOLUME}:/data`],
        ...(storageAddress === undefined ? {} : { ports: [`${storageAddress}:${port}:${port}`] }),
        security_opt: ['no-new-privileges:true'],
        ...LONG_RUNNING,
        ...healthcheck(httpHealthcheck(`http://127.0.0.1:${port}/readyz`)),
      },
    });
    volumes.push({ name: SEAWEEDFS_VOLUME, role: 'storage' });
    volumes.push({ name: STORAGE_CREDENTIALS_VOLUME, role: 'apps' });
    keys = {
      [STORAGE_INIT_ENV.adminAccessKeyId]: adminKey,
      [STORAGE_INIT_ENV.adminSecretAccessKey]: adminSecret,
    };
  } else {
    const refs = bucketCredentials(storage.name, s3);
    const what = `${usedBy} spec.s3.credentials`;
    keys = {
      [STORAGE_INIT_ENV.accessKeyId]: context.secrets.interpolation(refs.accessKeyId, what),
      [STORAGE_INIT_ENV.secretAccessKey]: context.secrets.interpolation(refs.secretAccessKey, what),
    };
  }
  const config = `${STORAGE_INIT_CONFIG_DIRECTORY}/${storage.name}.json`;
  services.push({
    name: SERVICES.storageInit,
    role: 'apps',
    definition: {
      image: project.spec.images.operator,
      entrypoint: ['node', 'operator/dist/cli/lasuitectl.js'],
      command: ['storage-init', config],
      environment: keys,
      volumes: [
        `./${storageConfigFile(context)}:${config}:ro`,
        ...(context.seaweedfs ? [`${STORAGE_CREDENTIALS_VOLUME}:${S3_CREDENTIALS_DIRECTORY}`] : []),
      ],
      ...HARDENED,
      ...ONE_SHOT,
      ...dependsOn(
        context.seaweedfs ? [{ service: SERVICES.seaweedfs, condition: 'service_healthy' }] : [],
      ),
    },
  });
  return { services, volumes };
}

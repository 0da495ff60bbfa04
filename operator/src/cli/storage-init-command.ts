// `lasuitectl storage-init CONFIG`: the storage-init service of a Compose project. It does what the
// StorageMount controller does in a cluster, with the same adapters (ports/s3): for SeaweedFS, an
// identity allowed on the bucket only, whose keys it leaves in files for Drive; then the bucket,
// with versioning, CORS and lifecycle set and read back. A setting the store does not keep fails
// the job, so Drive (which waits for it) never starts on a bucket that loses file versions.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { S3Keys } from '../ports/s3/bucket.js';
import { StoreError } from '../ports/s3/store-errors.js';
import { STORAGE_INIT_ENV } from '../render/compose/storage-services.js';
import type { CommandIO } from './command-io.js';

const configSchema = z.strictObject({
  storageMount: z.string().min(1),
  provider: z.enum(['seaweedfs', 'external']),
  endpoint: z.url(),
  region: z.string().min(1),
  bucket: z.string().min(3),
  settings: z.strictObject({
    versioning: z.enum(['Enabled', 'Suspended']),
    cors: z.strictObject({
      allowedOrigins: z.array(z.string()),
      maxAgeSeconds: z.number().int().min(0),
    }),
    lifecycle: z.strictObject({
      noncurrentVersionExpirationDays: z.number().int().min(1),
      abortIncompleteMultipartUploadDays: z.number().int().min(1),
    }),
  }),
  permissions: z.strictObject({
    createBucket: z.boolean(),
    versioning: z.boolean(),
    cors: z.boolean(),
    lifecycle: z.boolean(),
  }),
  identity: z
    .strictObject({ userName: z.string().min(1), credentialsDirectory: z.string().min(1) })
    .optional(),
});

export interface StorageInitOptions {
  env: NodeJS.ProcessEnv;
  /** How long a store that does not answer yet is waited for. */
  waitMs?: number;
}

export class StorageInitError extends Error {
  override name = 'StorageInitError';
}

function keysFromEnv(env: NodeJS.ProcessEnv, idName: string, secretName: string): S3Keys {
  const accessKeyId = env[idName];
  const secretAccessKey = env[secretName];
  if (!accessKeyId || !secretAccessKey)
    throw new StorageInitError(
      `${accessKeyId ? secretName : idName} is not set: the Compose file passes it from .env`,
    );
  return { accessKeyId, secretAccessKey };
}

/** The file names match the Secret keys Drive reads in a cluster. */
const KEY_FILES = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' };

async function readKeys(directory: string): Promise<S3Keys | undefined> {
  try {
    const [accessKeyId, secretAccessKey] = await Promise.all(
      [KEY_FILES.accessKeyId, KEY_FILES.secretAccessKey].map(async (name) =>
        (await readFile(join(directory, name), 'utf8')).trim(),
      ),
    );
    return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Each key file replaced by rename: Drive never reads half a key. Readable by Drive's user. */
async function writeKeys(directory: string, keys: S3Keys): Promise<void> {
  await mkdir(directory, { recursive: true });
  for (const [field, name] of Object.entries(KEY_FILES) as [keyof S3Keys, string][]) {
    const target = join(directory, name);
    await writeFile(`${target}.tmp`, keys[field], { mode: 0o444 });
    await rename(`${target}.tmp`, target);
  }
}

/** Retries while the store does not answer yet (it may be healthy before its IAM is). */
async function untilReachable<T>(waitMs: number, io: CommandIO, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof StoreError) || error.permanent || Date.now() > deadline) throw error;
      io.stderr(`${error.message}; retrying (attempt ${String(attempt)})\n`);
      await sleep(Math.min(5000, 500 * attempt));
    }
  }
}

export async function storageInit(
  configPath: string,
  options: StorageInitOptions,
  io: CommandIO,
): Promise<void> {
  let config: z.output<typeof configSchema>;
  try {
    config = configSchema.parse(JSON.parse(await readFile(configPath, 'utf8')));
  } catch (error) {
    throw new StorageInitError(
      `${configPath} is not a storage-init configuration: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const waitMs = options.waitMs ?? 120_000;
  let credentials: S3Keys;
  if (config.provider === 'seaweedfs') {
    if (!config.identity)
      throw new StorageInitError(`${configPath}: identity is required for seaweedfs`);
    const { identity } = config;
    const admin = keysFromEnv(
      options.env,
      STORAGE_INIT_ENV.adminAccessKeyId,
      STORAGE_INIT_ENV.adminSecretAccessKey,
    );
    const current = await readKeys(identity.credentialsDirectory);
    const { ensureSeaweedIdentity } = await import('../ports/s3/seaweedfs-iam.js');
    const { keys, action } = await untilReachable(waitMs, io, () =>
      ensureSeaweedIdentity(
        { endpoint: config.endpoint, region: config.region, credentials: admin },
        { userName: identity.userName, bucket: config.bucket, ...(current ? { current } : {}) },
      ),
    );
    if (
      keys.accessKeyId !== current?.accessKeyId ||
      keys.secretAccessKey !== current.secretAccessKey
    )
      await writeKeys(identity.credentialsDirectory, keys);
    io.stdout(
      `SeaweedFS identity ${identity.userName}, limited to bucket ${config.bucket}: ${action}; keys in ${identity.credentialsDirectory}\n`,
    );
    credentials = keys;
  } else {
    credentials = keysFromEnv(
      options.env,
      STORAGE_INIT_ENV.accessKeyId,
      STORAGE_INIT_ENV.secretAccessKey,
    );
  }
  const { configureBucket } = await import('../ports/s3/bucket.js');
  const result = await untilReachable(waitMs, io, () =>
    configureBucket(
      { endpoint: config.endpoint, region: config.region, bucket: config.bucket, credentials },
      config.settings,
      config.permissions,
    ),
  );
  io.stdout(
    `bucket ${config.bucket} at ${config.endpoint}: ${result.created ? 'created' : 'exists'}\n`,
  );
  const wrong: string[] = [];
  for (const [name, setting] of Object.entries(result.settings)) {
    io.stdout(
      `  ${name}: ${setting.action}, ${setting.matches ? 'read back as wanted' : `reads back ${setting.observed ?? '?'}`}\n`,
    );
    if (!setting.matches) wrong.push(name);
  }
  if (wrong.length > 0)
    throw new StorageInitError(
      `bucket ${config.bucket} does not keep its ${wrong.join(' and ')} configuration${
        config.permissions.versioning && config.permissions.cors && config.permissions.lifecycle
          ? '; the store ignored what was set'
          : '; configure it on the store, or let storage-init do it (s3.external.manage*: true)'
      }`,
    );
}

export async function storageInitCommand(
  configPath: string,
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    await storageInit(configPath, { env }, io);
    return 0;
  } catch (error) {
    if (error instanceof StorageInitError || error instanceof StoreError) {
      io.stderr(`storage-init: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

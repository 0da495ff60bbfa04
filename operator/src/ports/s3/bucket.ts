// A bucket Drive can rely on, through the S3 API with the bucket's own credentials, for every
// provider: it exists, versioning is on, browsers may upload to it from Drive's origins (CORS),
// and lifecycle rules expire noncurrent versions and abort stale multipart uploads. Every
// setting is read back after it is written; a store that answers 200 and ignores the setting
// is caught here, not by a user losing a file version.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  S3Client,
  type CORSRule,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { StoreError, storeError } from './store-errors.js';

export interface S3Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface BucketTarget {
  endpoint: string;
  region: string;
  bucket: string;
  credentials: S3Keys;
}

export interface BucketSettings {
  versioning: 'Enabled' | 'Suspended';
  cors: { allowedOrigins: readonly string[]; maxAgeSeconds: number };
  lifecycle: {
    noncurrentVersionExpirationDays: number;
    abortIncompleteMultipartUploadDays: number;
  };
}

/** What the operator may change; an external bucket may allow only verification. */
export interface BucketPermissions {
  createBucket: boolean;
  versioning: boolean;
  cors: boolean;
  lifecycle: boolean;
}

export type SettingName = 'versioning' | 'cors' | 'lifecycle';

/** One setting after configureBucket: what was done and whether the read-back matches. */
export interface SettingResult {
  action: 'set' | 'unchanged' | 'verified-only';
  matches: boolean;
  /** What the store reported, in words, when it does not match. */
  observed?: string;
}

export interface BucketResult {
  created: boolean;
  settings: Record<SettingName, SettingResult>;
}

const LIFECYCLE_RULE_ID = 'lasuite-drive-versions';

/**
 * A path-style client that sends checksums only when an operation requires them: Ceph Pacific
 * answers 411 to the SDK's default aws-chunked uploads. Retries are the work queue's job.
 */
export function bucketClient(target: Omit<BucketTarget, 'bucket'>): S3Client {
  return new S3Client({
    endpoint: target.endpoint,
    region: target.region,
    forcePathStyle: true,
    credentials: target.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
  });
}

function desiredCorsRules(settings: BucketSettings['cors']): CORSRule[] {
  // No origin yet (no DriveInstance uses the bucket): nothing to allow, and stores reject a
  // rule without origins.
  if (settings.allowedOrigins.length === 0) return [];
  return [
    {
      ID: 'lasuite-drive-uploads',
      AllowedMethods: ['GET', 'HEAD', 'PUT'],
      AllowedOrigins: [...new Set(settings.allowedOrigins)].sort(),
      AllowedHeaders: ['*'],
      // Multipart uploads read each part's ETag from the browser.
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: settings.maxAgeSeconds,
    },
  ];
}

function desiredLifecycleRules(settings: BucketSettings['lifecycle']): LifecycleRule[] {
  return [
    {
      ID: LIFECYCLE_RULE_ID,
      Status: 'Enabled',
      Filter: { Prefix: '' },
      NoncurrentVersionExpiration: { NoncurrentDays: settings.noncurrentVersionExpirationDays },
      AbortIncompleteMultipartUpload: {
        DaysAfterInitiation: settings.abortIncompleteMultipartUploadDays,
      },
    },
  ];
}

const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Whether the store's rules contain ours (stores may add defaults, such as an ID). */
function corsMatches(observed: readonly CORSRule[], desired: readonly CORSRule[]): boolean {
  return desired.every((want) =>
    observed.some(
      (rule) =>
        sameList(rule.AllowedMethods, want.AllowedMethods) &&
        sameList(rule.AllowedOrigins, want.AllowedOrigins) &&
        sameList(rule.AllowedHeaders, want.AllowedHeaders) &&
        sameList(rule.ExposeHeaders, want.ExposeHeaders) &&
        (rule.MaxAgeSeconds ?? 0) === (want.MaxAgeSeconds ?? 0),
    ),
  );
}

function lifecycleMatches(
  observed: readonly LifecycleRule[],
  desired: readonly LifecycleRule[],
): boolean {
  return desired.every((want) =>
    observed.some(
      (rule) =>
        rule.Status === 'Enabled' &&
        // A rule for every key: an empty prefix, or no filter at all (stores differ).
        (rule.Filter?.Prefix ?? '') === '' &&
        rule.NoncurrentVersionExpiration?.NoncurrentDays ===
          want.NoncurrentVersionExpiration?.NoncurrentDays &&
        rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation ===
          want.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
    ),
  );
}

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? '';

/** The bucket's CORS rules; none configured reads as an empty list. */
async function readCors(client: S3Client, bucket: string): Promise<CORSRule[]> {
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  } catch (error) {
    if (errorName(error) === 'NoSuchCORSConfiguration') return [];
    throw error;
  }
}

async function readLifecycle(client: S3Client, bucket: string): Promise<LifecycleRule[]> {
  try {
    return (
      (await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ??
      []
    );
  } catch (error) {
    if (errorName(error) === 'NoSuchLifecycleConfiguration') return [];
    throw error;
  }
}

async function readVersioning(client: S3Client, bucket: string): Promise<string> {
  return (
    (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status ?? 'Disabled'
  );
}

/** HeadBucket: true when it exists and these credentials may use it. */
async function bucketExists(client: S3Client, target: BucketTarget): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: target.bucket }));
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchBucket' || status === 404)
      return false;
    // HeadBucket has no body: a 403 cannot tell wrong keys from someone else's bucket.
    if (status === 403) return bucketOwnedElsewhere(client, target, error);
    throw error;
  }
}

/** After a 403 on HeadBucket: a call that lists nothing tells bad credentials from a foreign bucket. */
async function bucketOwnedElsewhere(
  client: S3Client,
  target: BucketTarget,
  original: unknown,
): Promise<never> {
  try {
    await client.send(new GetBucketVersioningCommand({ Bucket: target.bucket }));
  } catch (error) {
    throw storeError(error, target.endpoint, `reading bucket ${target.bucket}`);
  }
  throw storeError(original, target.endpoint, `reading bucket ${target.bucket}`);
}

/**
 * Observe, create when missing (if allowed), set what differs (if allowed), read everything
 * back. Throws StoreError for a store that cannot be used at all; a setting the operator may
 * not change and that does not match is reported, not thrown.
 */
export async function configureBucket(
  target: BucketTarget,
  settings: BucketSettings,
  permissions: BucketPermissions,
): Promise<BucketResult> {
  const client = bucketClient(target);
  const { bucket, endpoint } = target;
  const step = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw storeError(error, endpoint, `${action} on bucket ${bucket}`);
    }
  };
  try {
    let created = false;
    if (!(await step('HeadBucket', () => bucketExists(client, target)))) {
      if (!permissions.createBucket)
        throw new StoreError(
          'Conflict',
          endpoint,
          `bucket ${bucket} does not exist at ${endpoint}; create it, or fix bucket.name`,
        );
      await step('CreateBucket', async () => {
        try {
          await client.send(new CreateBucketCommand({ Bucket: bucket }));
        } catch (error) {
          // Created by a concurrent reconcile, or by Rook a moment ago: ours either way.
          if (errorName(error) !== 'BucketAlreadyOwnedByYou') throw error;
        }
      });
      created = true;
    }

    const versioning = await configureSetting(
      permissions.versioning,
      () => step('GetBucketVersioning', () => readVersioning(client, bucket)),
      (status) => status === settings.versioning,
      async () => {
        try {
          await client.send(
            new PutBucketVersioningCommand({
              Bucket: bucket,
              VersioningConfiguration: { Status: settings.versioning },
            }),
          );
        } catch (error) {
          const classified = storeError(error, endpoint, `PutBucketVersioning on bucket ${bucket}`);
          if (classified.problem !== 'Unsupported') throw classified;
          throw new StoreError(
            'VersioningUnsupported',
            endpoint,
            `${endpoint} refuses versioning on bucket ${bucket} (${classified.message}); Drive needs a store with S3 versioning`,
            { cause: error },
          );
        }
      },
      (status) => `versioning is ${status}`,
    );
    if (permissions.versioning && !versioning.matches)
      throw new StoreError(
        'VersioningUnsupported',
        endpoint,
        `${endpoint} accepted versioning ${settings.versioning} on bucket ${bucket} but reads back ${versioning.observed ?? '?'}; Drive needs a store with S3 versioning`,
      );

    const corsRules = desiredCorsRules(settings.cors);
    const cors = await configureSetting(
      permissions.cors,
      () => step('GetBucketCors', () => readCors(client, bucket)),
      (rules) => corsMatches(rules, corsRules),
      () =>
        step('PutBucketCors', () =>
          client.send(
            new PutBucketCorsCommand({
              Bucket: bucket,
              CORSConfiguration: { CORSRules: corsRules },
            }),
          ),
        ),
      (rules) =>
        rules.length === 0
          ? 'no CORS rules'
          : `CORS rules for ${rules.flatMap((rule) => rule.AllowedOrigins ?? []).join(', ')}`,
    );

    const lifecycleRules = desiredLifecycleRules(settings.lifecycle);
    const lifecycle = await configureSetting(
      permissions.lifecycle,
      () => step('GetBucketLifecycleConfiguration', () => readLifecycle(client, bucket)),
      (rules) => lifecycleMatches(rules, lifecycleRules),
      () =>
        step('PutBucketLifecycleConfiguration', async () => {
          // Rules of others are kept; ours is replaced by ID.
          const others = (await readLifecycle(client, bucket)).filter(
            (rule) => rule.ID !== LIFECYCLE_RULE_ID,
          );
          await client.send(
            new PutBucketLifecycleConfigurationCommand({
              Bucket: bucket,
              LifecycleConfiguration: { Rules: [...others, ...lifecycleRules] },
            }),
          );
        }),
      (rules) =>
        rules.length === 0
          ? 'no lifecycle rules'
          : `lifecycle rules ${rules.map((rule) => rule.ID ?? '(no ID)').join(', ')} without the expected expirations`,
    );
    return { created, settings: { versioning, cors, lifecycle } };
  } finally {
    client.destroy();
  }
}

async function configureSetting<T>(
  mayChange: boolean,
  read: () => Promise<T>,
  matches: (observed: T) => boolean,
  write: () => Promise<unknown>,
  describe: (observed: T) => string,
): Promise<SettingResult> {
  const before = await read();
  if (matches(before)) return { action: mayChange ? 'unchanged' : 'verified-only', matches: true };
  if (!mayChange) return { action: 'verified-only', matches: false, observed: describe(before) };
  await write();
  const after = await read();
  return matches(after)
    ? { action: 'set', matches: true }
    : { action: 'set', matches: false, observed: describe(after) };
}

/**
 * Deletes every object version and delete marker, then the bucket (reclaimPolicy Delete).
 * Idempotent: a bucket already gone is success. Returns how many versions were deleted.
 */
export async function deleteBucket(target: BucketTarget): Promise<number> {
  const client = bucketClient(target);
  const { bucket, endpoint } = target;
  let deleted = 0;
  try {
    for (;;) {
      const page = await client.send(
        new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }),
      );
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((entry) => ({
        Key: entry.Key,
        VersionId: entry.VersionId,
      }));
      if (objects.length === 0) break;
      const result = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0)
        throw new StoreError(
          'AccessDenied',
          endpoint,
          `deleting ${String(failed.length)} object versions of bucket ${bucket} failed (${failed[0]?.Code ?? '?'}: ${failed[0]?.Message ?? ''})`,
        );
      deleted += objects.length;
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    return deleted;
  } catch (error) {
    if (errorName(error) === 'NoSuchBucket') return deleted;
    throw storeError(error, endpoint, `deleting bucket ${bucket}`);
  } finally {
    client.destroy();
  }
}

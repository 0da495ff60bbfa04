// What a StorageMount of type s3 asks of its bucket, decided once for the operator (in a cluster)
// and the Compose init job (on a Docker host): the settings to enforce and which of them may be
// changed rather than only verified.
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { BucketPermissions, BucketSettings } from '../ports/s3/bucket.js';

type S3Spec = NonNullable<StorageMountSpec['s3']>;

/** Browsers upload from https://<host> of every Drive on this bucket, plus the spec's origins. */
export function bucketSettings(s3: S3Spec, driveHosts: readonly string[]): BucketSettings {
  return {
    versioning: s3.versioning,
    cors: {
      allowedOrigins: [
        ...new Set([...driveHosts.map((host) => `https://${host}`), ...s3.cors.allowedOrigins]),
      ].sort(),
      maxAgeSeconds: s3.cors.maxAgeSeconds,
    },
    lifecycle: s3.lifecycle,
  };
}

/** An external bucket may allow verification only (s3.external.manage*: false). */
export function bucketPermissions(s3: S3Spec, createBucket: boolean): BucketPermissions {
  const external = s3.provider === 'external' ? s3.external : undefined;
  return {
    createBucket,
    versioning: external?.manageVersioning ?? true,
    cors: external?.manageCors ?? true,
    lifecycle: external?.manageLifecycle ?? true,
  };
}

// A StorageMount of type s3: credentials from its provider, then the bucket configured and read
// back through the S3 API, reported as BucketReady, VersioningEnabled, CorsConfigured and
// LifecycleConfigured. Deleting a mount with reclaimPolicy Delete removes every version, the
// bucket and the store user, behind a finalizer that waits while a DriveInstance uses it.
import type { SettingName, SettingResult } from '../ports/s3/bucket.js';
import { bucketPermissions, bucketSettings } from '../render/bucket-settings.js';
import { StoreError, type StoreProblem } from '../ports/s3/store-errors.js';
import type { ConditionInput } from '../runtime/conditions.js';
import { objectKey } from '../runtime/informer.js';
import type { Manager } from '../runtime/manager.js';
import { referencingDrives, type ReferencedNames } from './drive-references.js';
import type { ExternalCleanup } from './finalizer.js';
import { deleteS3Identity, describeWaiting, resolveS3Access, type S3Spec } from './s3-access.js';
import type { Report, StatusObject } from './status-writer.js';

/** Settings are read back this often, so a change made outside the operator is restored. */
const DRIFT_CHECK_MS = 300_000;
const WAITING_POLL_MS = 5_000;

type Mount = StatusObject & { spec: { type: string; s3?: S3Spec } };

const CONDITION_OF: Record<SettingName, string> = {
  versioning: 'VersioningEnabled',
  cors: 'CorsConfigured',
  lifecycle: 'LifecycleConfigured',
};

const REASON_OF: Record<StoreProblem, string> = {
  InvalidCredentials: 'InvalidCredentials',
  AccessDenied: 'AccessDenied',
  VersioningUnsupported: 'VersioningUnsupported',
  Unsupported: 'StoreRefused',
  Conflict: 'BucketConflict',
  Unreachable: 'EndpointUnreachable',
};

/** Every name a DriveInstance spec uses a StorageMount by: its storage, and its SMB mounts. */
export const MOUNT_REFERENCES: ReferencedNames = (spec) => [
  spec.storageRef.name,
  ...spec.mounts.map((entry) => entry.name),
];

/** https://<host> of every DriveInstance on this bucket that is not being deleted. */
function driveHosts(manager: Manager, mount: StatusObject): string[] {
  return referencingDrives(manager, mount, (spec) => [spec.storageRef.name])
    .filter((drive) => !drive.metadata.deletionTimestamp)
    .map((drive) => drive.spec.host);
}

function settingCondition(
  name: SettingName,
  result: SettingResult,
  bucket: string,
): ConditionInput {
  const type = CONDITION_OF[name];
  if (result.matches)
    return {
      type,
      status: 'True',
      reason: 'Succeeded',
      message: `read back from bucket ${bucket}${result.action === 'set' ? ' after setting it' : ''}`,
    };
  const unsupported = name === 'cors' ? 'CorsUnsupported' : 'LifecycleUnsupported';
  return result.action === 'verified-only'
    ? {
        type,
        status: 'False',
        reason: 'NotConfigured',
        message: `bucket ${bucket} has ${result.observed ?? '?'}; configure it on the store, or let the operator do it (s3.external.manage${name === 'cors' ? 'Cors' : name === 'lifecycle' ? 'Lifecycle' : 'Versioning'}: true)`,
      }
    : {
        type,
        status: 'False',
        reason: unsupported,
        message: `the store accepted the ${name} configuration of bucket ${bucket} but reads back ${result.observed ?? '?'}`,
      };
}

export async function reconcileS3Mount(
  manager: Manager,
  mount: StatusObject,
  s3: S3Spec,
): Promise<Report> {
  const fields: Record<string, unknown> = {
    bucket: s3.bucket.name,
    url: s3.endpoints.public.replace(/\/$/, ''),
    capabilities: {
      versioning: s3.versioning === 'Enabled',
      rangeReads: true,
      resumableUploads: true,
      wopi: true,
      shareLinks: true,
      searchByName: true,
    },
  };
  const endpoints = (internal: string | undefined) => ({
    ...(internal ? { internal } : {}),
    public: s3.endpoints.public.replace(/\/$/, ''),
  });
  fields.endpoints = endpoints(s3.endpoints.internal?.replace(/\/$/, ''));
  let access;
  try {
    access = await resolveS3Access(manager, mount, s3);
  } catch (error) {
    return failure(error, s3, fields);
  }
  if ('waiting' in access)
    return {
      // Nothing watches Rook's claims or the referenced Secrets for this mount: poll.
      requeueAfterMs: WAITING_POLL_MS,
      ...access.waiting,
      domain: [
        {
          type: 'BucketReady',
          status: 'False',
          reason:
            'reason' in access.waiting.outcome ? access.waiting.outcome.reason : 'Progressing',
          message: describeWaiting(access),
        },
      ],
      fields,
    };
  const { target, credentialsSecret, createBucket } = access.access;
  fields.endpoints = endpoints(target.endpoint);
  fields.credentialsSecretRef = { name: credentialsSecret };
  const previous = new Map(
    (mount.status?.conditions ?? []).map((condition) => [condition.type, condition.status]),
  );
  let result;
  try {
    // Loaded on first use: the S3 SDK is a fifth of the operator's memory, and a cluster may
    // have no s3 mount at all.
    const { configureBucket } = await import('../ports/s3/bucket.js');
    result = await configureBucket(
      { ...target, bucket: s3.bucket.name },
      bucketSettings(s3, driveHosts(manager, mount)),
      bucketPermissions(s3, createBucket),
    );
  } catch (error) {
    return failure(error, s3, fields);
  }
  if (result.created)
    await manager.events.record(
      mount,
      'Normal',
      'BucketCreated',
      `created bucket ${s3.bucket.name} at ${target.endpoint}`,
    );
  const settings = Object.entries(result.settings) as [SettingName, SettingResult][];
  for (const [name, setting] of settings) {
    // Set although it was verified before: someone changed it on the store.
    if (setting.action === 'set' && previous.get(CONDITION_OF[name]) === 'True')
      await manager.events.record(
        mount,
        'Warning',
        'SettingDrift',
        `the ${name} configuration of bucket ${s3.bucket.name} had changed on the store; restored`,
      );
  }
  const domain: ConditionInput[] = [
    {
      type: 'BucketReady',
      status: 'True',
      reason: 'Succeeded',
      message: `bucket ${s3.bucket.name} at ${target.endpoint} answers with its credentials`,
    },
    ...settings.map(([name, setting]) => settingCondition(name, setting, s3.bucket.name)),
  ];
  const wrong = domain.find((condition) => condition.status !== 'True');
  return {
    outcome: wrong
      ? { state: 'Stalled', reason: wrong.reason, message: wrong.message }
      : {
          state: 'Ready',
          message: `bucket ${s3.bucket.name} verified: versioning ${s3.versioning}, CORS, lifecycle`,
        },
    domain,
    fields,
    requeueAfterMs: DRIFT_CHECK_MS,
  };
}

function failure(error: unknown, s3: S3Spec, fields: Record<string, unknown>): Report {
  if (!(error instanceof StoreError)) throw error;
  const reason = REASON_OF[error.problem];
  const condition: ConditionInput = {
    type: 'BucketReady',
    status: 'False',
    reason,
    message: error.message,
  };
  return {
    outcome: error.permanent
      ? { state: 'Stalled', reason, message: error.message }
      : { state: 'Progressing', reason, message: `${error.message}; retrying` },
    domain: [condition],
    fields: { ...fields, bucket: s3.bucket.name },
    retry: !error.permanent,
  };
}

/** The finalizer's work for an s3 mount with reclaimPolicy Delete. */
export function s3Cleanup(manager: Manager): ExternalCleanup<StatusObject> {
  const s3Of = (object: StatusObject) => (object as Mount).spec.s3;
  return {
    describe: (object) => {
      const s3 = s3Of(object);
      return `bucket ${s3?.bucket.name ?? '?'} with every version in it, and its store user`;
    },
    needed: (object) => s3Of(object)?.bucket.reclaimPolicy === 'Delete',
    blockedBy: (object) => {
      const drives = referencingDrives(manager, object, MOUNT_REFERENCES).filter(
        (drive) => !drive.metadata.deletionTimestamp,
      );
      return drives.length === 0
        ? undefined
        : `deletion waits: DriveInstance ${drives.map((drive) => drive.metadata.name).join(', ')} still references this mount`;
    },
    cleanUp: async (object) => {
      const s3 = s3Of(object);
      if (!s3) return;
      const access = await resolveS3Access(manager, object, s3);
      if ('waiting' in access) throw new Error(describeWaiting(access));
      const target = { ...access.access.target, bucket: s3.bucket.name };
      const { deleteBucket } = await import('../ports/s3/bucket.js');
      const versions = await deleteBucket(target);
      manager.log.info(
        { key: objectKey(object), bucket: s3.bucket.name, versions },
        'deleted the bucket',
      );
      await deleteS3Identity(manager, object, s3);
    },
  };
}

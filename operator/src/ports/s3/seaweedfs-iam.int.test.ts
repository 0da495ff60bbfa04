import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateUserCommand,
  IAMClient,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { useServer } from '../../testbed/fixtures.js';
import { s3Client } from '../../testbed/s3-client.js';
import { startSeaweedFs } from '../../testbed/seaweedfs.js';
import {
  BUCKET_POLICY_NAME,
  bucketPolicy,
  deleteSeaweedIdentity,
  ensureSeaweedIdentity,
  observeSeaweedIdentity,
  type SeaweedAdminEndpoint,
} from './seaweedfs-iam.js';
import type { S3Keys } from './bucket.js';
import { StoreError } from './store-errors.js';

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

async function s3Failure(promise: Promise<unknown>): Promise<string | undefined> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  return (error as { name?: string } | undefined)?.name;
}

describe('SeaweedFS identities through the embedded IAM API (real SeaweedFS)', () => {
  const weed = useServer(() => startSeaweedFs());

  const admin = (): SeaweedAdminEndpoint => ({
    endpoint: weed().endpoint,
    region: weed().region,
    credentials: { accessKeyId: weed().adminAccessKey, secretAccessKey: weed().adminSecretKey },
  });
  const adminS3 = () => s3Client(weed().endpoint, weed().adminAccessKey, weed().adminSecretKey);
  const userS3 = (keys: S3Keys) =>
    s3Client(weed().endpoint, keys.accessKeyId, keys.secretAccessKey);
  // For changes an operator did not make: a person editing the identity by hand.
  const iam = () =>
    new IAMClient({
      endpoint: weed().endpoint,
      region: weed().region,
      credentials: admin().credentials,
    });
  const roundTrip = async (client: S3Client, bucket: string, body: string) => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'note.txt', Body: body }));
    const read = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'note.txt' }));
    return read.Body?.transformToString();
  };

  it('observes an absent user as undefined', async () => {
    expect(await observeSeaweedIdentity(admin(), 'nobody')).toBeUndefined();
  });

  it('creates a user whose key opens its bucket and no other', async () => {
    const created = await ensureSeaweedIdentity(admin(), {
      userName: 'drive-one',
      bucket: 'drive-one-media',
    });
    expect(created.action).toBe('created');
    expect(created.keys.accessKeyId).toMatch(/^AKIA/);

    const observed = await observeSeaweedIdentity(admin(), 'drive-one');
    expect(observed?.userName).toBe('drive-one');
    expect(observed?.accessKeyIds).toEqual([created.keys.accessKeyId]);
    // Stored re-encoded: the lone action comes back as a string, hence the canonical comparison.
    expect(observed?.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::drive-one-media', 'arn:aws:s3:::drive-one-media/*'],
        },
      ],
    });

    // The identity may create its own bucket, as the bucket adapter does with these keys, and
    // works on the very next request: SeaweedFS applies IAM changes synchronously.
    const user = userS3(created.keys);
    await user.send(new CreateBucketCommand({ Bucket: 'drive-one-media' }));
    expect(await roundTrip(user, 'drive-one-media', 'mine')).toBe('mine');

    await adminS3().send(new CreateBucketCommand({ Bucket: 'drive-one-neighbour' }));
    expect(
      await s3Failure(
        user.send(
          new PutObjectCommand({ Bucket: 'drive-one-neighbour', Key: 'x', Body: 'intrusion' }),
        ),
      ),
    ).toBe('AccessDenied');
    expect(await s3Failure(user.send(new CreateBucketCommand({ Bucket: 'drive-one-extra' })))).toBe(
      'AccessDenied',
    );
  });

  it('keeps a known key, replaces an unknown one and restores the policy', async () => {
    const want = { userName: 'drive-two', bucket: 'drive-two-media' };
    const first = await ensureSeaweedIdentity(admin(), want);
    await adminS3().send(new CreateBucketCommand({ Bucket: 'drive-two-media' }));
    await adminS3().send(new CreateBucketCommand({ Bucket: 'drive-two-other' }));

    const again = await ensureSeaweedIdentity(admin(), { ...want, current: first.keys });
    expect(again).toEqual({ keys: first.keys, action: 'unchanged' });

    const replaced = await ensureSeaweedIdentity(admin(), {
      ...want,
      current: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'lost' },
    });
    expect(replaced.action).toBe('updated');
    expect(replaced.keys.accessKeyId).not.toBe(first.keys.accessKeyId);
    expect(await roundTrip(userS3(replaced.keys), 'drive-two-media', 'new key')).toBe('new key');
    expect((await observeSeaweedIdentity(admin(), 'drive-two'))?.accessKeyIds.sort()).toEqual(
      [first.keys.accessKeyId, replaced.keys.accessKeyId].sort(),
    );

    // Someone points our policy at another bucket: restored, and the key is kept.
    await iam().send(
      new PutUserPolicyCommand({
        UserName: 'drive-two',
        PolicyName: BUCKET_POLICY_NAME,
        PolicyDocument: JSON.stringify(bucketPolicy('drive-two-other')),
      }),
    );
    expect(await ensureSeaweedIdentity(admin(), { ...want, current: replaced.keys })).toEqual({
      keys: replaced.keys,
      action: 'updated',
    });
    expect(await roundTrip(userS3(replaced.keys), 'drive-two-media', 'restored')).toBe('restored');

    // A second inline policy would widen access (SeaweedFS grants their union): removed.
    await iam().send(
      new PutUserPolicyCommand({
        UserName: 'drive-two',
        PolicyName: 'extra',
        PolicyDocument: JSON.stringify(bucketPolicy('drive-two-other')),
      }),
    );
    expect(await roundTrip(userS3(replaced.keys), 'drive-two-other', 'widened')).toBe('widened');
    expect((await ensureSeaweedIdentity(admin(), { ...want, current: replaced.keys })).action).toBe(
      'updated',
    );
    const policies = await iam().send(new ListUserPoliciesCommand({ UserName: 'drive-two' }));
    expect(policies.PolicyNames).toEqual([BUCKET_POLICY_NAME]);
    expect(
      await s3Failure(
        userS3(replaced.keys).send(
          new PutObjectCommand({ Bucket: 'drive-two-other', Key: 'x', Body: 'x' }),
        ),
      ),
    ).toBe('AccessDenied');

    // A disabled key is the caller's key still: enabled again rather than replaced.
    await iam().send(
      new UpdateAccessKeyCommand({
        UserName: 'drive-two',
        AccessKeyId: replaced.keys.accessKeyId,
        Status: 'Inactive',
      }),
    );
    expect(await ensureSeaweedIdentity(admin(), { ...want, current: replaced.keys })).toEqual({
      keys: replaced.keys,
      action: 'updated',
    });
    expect(await roundTrip(userS3(replaced.keys), 'drive-two-media', 'enabled')).toBe('enabled');
  });

  it('deletes the identity, its keys and policies, and leaves the bucket and objects', async () => {
    const { keys } = await ensureSeaweedIdentity(admin(), {
      userName: 'drive-three',
      bucket: 'drive-three-media',
    });
    await userS3(keys).send(new CreateBucketCommand({ Bucket: 'drive-three-media' }));
    await roundTrip(userS3(keys), 'drive-three-media', 'kept');

    await deleteSeaweedIdentity(admin(), 'drive-three');
    expect(await observeSeaweedIdentity(admin(), 'drive-three')).toBeUndefined();
    await deleteSeaweedIdentity(admin(), 'drive-three');

    expect(
      await s3Failure(
        userS3(keys).send(new GetObjectCommand({ Bucket: 'drive-three-media', Key: 'note.txt' })),
      ),
    ).toBe('InvalidAccessKeyId');
    const kept = await adminS3().send(
      new GetObjectCommand({ Bucket: 'drive-three-media', Key: 'note.txt' }),
    );
    expect(await kept.Body?.transformToString()).toBe('kept');

    // SeaweedFS keeps a deleted user's inline policies for its next namesake unless removed.
    await iam().send(new CreateUserCommand({ UserName: 'drive-three' }));
    const inherited = await iam().send(new ListUserPoliciesCommand({ UserName: 'drive-three' }));
    expect(inherited.PolicyNames).toEqual([]);
  });

  it('takes over a namesake that inherited stale policies', async () => {
    await iam().send(new CreateUserCommand({ UserName: 'drive-four' }));
    await iam().send(
      new PutUserPolicyCommand({
        UserName: 'drive-four',
        PolicyName: 'stale',
        PolicyDocument: JSON.stringify(bucketPolicy('drive-four-other')),
      }),
    );
    const ensured = await ensureSeaweedIdentity(admin(), {
      userName: 'drive-four',
      bucket: 'drive-four-media',
    });
    expect(ensured.action).toBe('updated');
    const policies = await iam().send(new ListUserPoliciesCommand({ UserName: 'drive-four' }));
    expect(policies.PolicyNames).toEqual([BUCKET_POLICY_NAME]);
  });

  it('names wrong admin credentials, a caller without IAM rights and an unreachable gateway', async () => {
    const wrongSecret = 'not-the-admin-secret-at-all';
    const badSecret = await failure(
      observeSeaweedIdentity(
        { ...admin(), credentials: { ...admin().credentials, secretAccessKey: wrongSecret } },
        'drive-one',
      ),
    );
    expect(badSecret.problem).toBe('InvalidCredentials');
    expect(badSecret.permanent).toBe(true);
    expect(badSecret.message).toContain('SignatureDoesNotMatch');
    expect(badSecret.message).not.toContain(wrongSecret);
    expect(badSecret.message).not.toContain(weed().adminSecretKey);

    const unknownKey = await failure(
      ensureSeaweedIdentity(
        { ...admin(), credentials: { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x' } },
        { userName: 'drive-five', bucket: 'drive-five-media' },
      ),
    );
    expect(unknownKey.problem).toBe('InvalidCredentials');
    expect(unknownKey.message).toContain('InvalidAccessKeyId');

    const { keys } = await ensureSeaweedIdentity(admin(), {
      userName: 'drive-six',
      bucket: 'drive-six-media',
    });
    const notAdmin = await failure(
      observeSeaweedIdentity({ ...admin(), credentials: keys }, 'drive-one'),
    );
    expect(notAdmin.problem).toBe('AccessDenied');
    expect(notAdmin.message).not.toContain(keys.secretAccessKey);

    const unreachable = await failure(
      observeSeaweedIdentity({ ...admin(), endpoint: 'http://127.0.0.1:9' }, 'drive-one'),
    );
    expect(unreachable.problem).toBe('Unreachable');
    expect(unreachable.permanent).toBe(false);
    expect(unreachable.message).toContain('http://127.0.0.1:9');
  });
});

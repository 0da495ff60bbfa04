import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startCephRgw } from '../../testbed/ceph-rgw.js';
import { useServer } from '../../testbed/fixtures.js';
import { s3Client } from '../../testbed/s3-client.js';
import {
  deleteRgwUser,
  ensureRgwUser,
  observeRgwUser,
  type RgwAdminEndpoint,
} from './rgw-admin.js';
import type { S3Keys } from './bucket.js';
import { StoreError } from './store-errors.js';

const newKeys = (): S3Keys => ({
  accessKeyId: `DRIVE${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64'),
});

describe('RGW admin-ops users', () => {
  const rgw = useServer(() => startCephRgw());
  const admin = (secretAccessKey = rgw().adminSecretKey): RgwAdminEndpoint => ({
    endpoint: rgw().endpoint,
    region: rgw().region,
    credentials: { accessKeyId: rgw().adminAccessKey, secretAccessKey },
  });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  };

  it('creates, updates, re-enables and deletes a user, keeping its data', async () => {
    const uid = 'drive-media';
    const first = newKeys();
    expect(await observeRgwUser(admin(), uid)).toBeUndefined();

    expect(await ensureRgwUser(admin(), { uid, displayName: 'Drive media', keys: first })).toBe(
      'created',
    );
    expect(await observeRgwUser(admin(), uid)).toEqual({
      uid,
      displayName: 'Drive media',
      accessKeyIds: [first.accessKeyId],
      suspended: false,
    });
    const own = s3Client(rgw().endpoint, first.accessKeyId, first.secretAccessKey);
    await own.send(new CreateBucketCommand({ Bucket: 'drive-media' }));
    await own.send(new PutObjectCommand({ Bucket: 'drive-media', Key: 'a.txt', Body: 'kept' }));

    expect(await ensureRgwUser(admin(), { uid, displayName: 'Drive media', keys: first })).toBe(
      'unchanged',
    );

    const second = newKeys();
    expect(await ensureRgwUser(admin(), { uid, displayName: 'Drive media', keys: second })).toBe(
      'updated',
    );
    expect((await observeRgwUser(admin(), uid))?.accessKeyIds.sort()).toEqual(
      [first.accessKeyId, second.accessKeyId].sort(),
    );
    const rotated = s3Client(rgw().endpoint, second.accessKeyId, second.secretAccessKey);
    await rotated.send(new PutObjectCommand({ Bucket: 'drive-media', Key: 'b.txt', Body: 'new' }));

    await rgw().radosgwAdmin(['user', 'suspend', `--uid=${uid}`]);
    expect((await observeRgwUser(admin(), uid))?.suspended).toBe(true);
    expect(await ensureRgwUser(admin(), { uid, displayName: 'Drive media', keys: second })).toBe(
      'updated',
    );
    expect((await observeRgwUser(admin(), uid))?.suspended).toBe(false);
    await rotated.send(new ListObjectsV2Command({ Bucket: 'drive-media' }));

    // RGW removes a user with buckets only by purging their objects; the adapter refuses.
    const refused = await failure(deleteRgwUser(admin(), uid));
    expect(refused.problem).toBe('Conflict');
    expect(refused.message).toContain('owns buckets (drive-media)');
    expect(await observeRgwUser(admin(), uid)).toBeDefined();

    await rgw().radosgwAdmin(['bucket', 'link', '--bucket=drive-media', '--uid=admin']);
    await deleteRgwUser(admin(), uid);
    expect(await observeRgwUser(admin(), uid)).toBeUndefined();
    await deleteRgwUser(admin(), uid);

    const stats = JSON.parse(await rgw().radosgwAdmin(['bucket', 'stats', '--bucket=drive-media']));
    expect(stats.owner).toBe('admin');
    expect(stats.usage['rgw.main'].num_objects).toBe(2);
  });

  it('renames a user and refuses an access key id another user holds', async () => {
    const keys = newKeys();
    expect(await ensureRgwUser(admin(), { uid: 'drive-a', displayName: 'A', keys })).toBe(
      'created',
    );
    expect(await ensureRgwUser(admin(), { uid: 'drive-a', displayName: 'Drive A', keys })).toBe(
      'updated',
    );
    expect((await observeRgwUser(admin(), 'drive-a'))?.displayName).toBe('Drive A');

    const taken = await failure(ensureRgwUser(admin(), { uid: 'drive-b', displayName: 'B', keys }));
    expect(taken.problem).toBe('Conflict');
    expect(taken.message).not.toContain(keys.secretAccessKey);
    expect(await observeRgwUser(admin(), 'drive-b')).toBeUndefined();
  });

  it('rejects a wrong admin secret as InvalidCredentials, without the secret', async () => {
    const wrong = randomBytes(20).toString('base64url');
    const error = await failure(observeRgwUser(admin(wrong), 'anyone'));
    expect(error.problem).toBe('InvalidCredentials');
    expect(error.message).not.toContain(wrong);
  });

  it('names the missing caps when the admin user has none', async () => {
    const keys = newKeys();
    await rgw().radosgwAdmin([
      'user',
      'create',
      '--uid=nocaps',
      '--display-name=No caps',
      `--access-key=${keys.accessKeyId}`,
      `--secret-key=${keys.secretAccessKey}`,
    ]);
    const nocaps = { ...admin(), credentials: keys };
    const error = await failure(observeRgwUser(nocaps, 'drive-media'));
    expect(error.problem).toBe('AccessDenied');
    expect(error.message).toContain('radosgw-admin caps add');
    expect(error.message).toContain('users=*;buckets=*');
    const created = await failure(
      ensureRgwUser(nocaps, { uid: 'x', displayName: 'x', keys: newKeys() }),
    );
    expect(created.problem).toBe('AccessDenied');
    expect(created.message).not.toContain(keys.secretAccessKey);
  });

  it('reports an unreachable endpoint as Unreachable', async () => {
    const error = await failure(
      observeRgwUser({ ...admin(), endpoint: 'http://127.0.0.1:9' }, 'drive-media'),
    );
    expect(error.problem).toBe('Unreachable');
    expect(error.permanent).toBe(false);
  });
});

// The bucket adapter against real Ceph RGW and real SeaweedFS from the test bed: every setting
// written and read back, versioned overwrites, CORS preflights from the Drive origin and from
// another one, object keys that break naive URL handling, and deletion of every version.
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startCephRgw } from '../../testbed/ceph-rgw.js';
import { useServer } from '../../testbed/fixtures.js';
import { startNginx } from '../../testbed/nginx.js';
import { startSeaweedFs } from '../../testbed/seaweedfs.js';
import {
  bucketClient,
  configureBucket,
  deleteBucket,
  type BucketSettings,
  type BucketTarget,
} from './bucket.js';
import { StoreError } from './store-errors.js';

const DRIVE_ORIGIN = 'https://drive.example.com';
const SETTINGS: BucketSettings = {
  versioning: 'Enabled',
  cors: { allowedOrigins: [DRIVE_ORIGIN], maxAgeSeconds: 3000 },
  lifecycle: { noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7 },
};
const ALL = { createBucket: true, versioning: true, cors: true, lifecycle: true };
const KEYS = [
  'a file with spaces.txt',
  'ünïcødé/日本語.txt',
  '100%.txt',
  'a+b=c.txt',
  'what?.txt',
  'tag#1.txt',
];

async function preflight(target: BucketTarget, origin: string) {
  const response = await fetch(`${target.endpoint}/${target.bucket}/upload.bin`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
  });
  return {
    status: response.status,
    allowOrigin: response.headers.get('access-control-allow-origin'),
  };
}

const stores = [
  [
    'Ceph RGW',
    async () => {
      const rgw = await startCephRgw();
      return {
        stop: () => rgw.stop(),
        endpoint: rgw.endpoint,
        region: rgw.region,
        credentials: { accessKeyId: rgw.adminAccessKey, secretAccessKey: rgw.adminSecretKey },
      };
    },
  ],
  [
    'SeaweedFS',
    async () => {
      const weed = await startSeaweedFs();
      return {
        stop: () => weed.stop(),
        endpoint: weed.endpoint,
        region: weed.region,
        credentials: { accessKeyId: weed.adminAccessKey, secretAccessKey: weed.adminSecretKey },
      };
    },
  ],
] as const;

describe.each(stores)('a Drive bucket on %s', (_name, start) => {
  const store = useServer(start);
  const target = (bucket: string): BucketTarget => ({ ...store(), bucket });

  it('is created with versioning, CORS and lifecycle, each read back, and then left alone', async () => {
    const first = await configureBucket(target('drive-media'), SETTINGS, ALL);
    expect(first.created).toBe(true);
    expect(first.settings).toEqual({
      versioning: { action: 'set', matches: true },
      cors: { action: 'set', matches: true },
      lifecycle: { action: 'set', matches: true },
    });
    const second = await configureBucket(target('drive-media'), SETTINGS, ALL);
    expect(second.created).toBe(false);
    expect(Object.values(second.settings).map((setting) => setting.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
  });

  it('keeps the old version of an overwritten file', async () => {
    const client = bucketClient(store());
    await client.send(
      new PutObjectCommand({ Bucket: 'drive-media', Key: 'report.txt', Body: 'first' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: 'drive-media', Key: 'report.txt', Body: 'second' }),
    );
    const versions = await client.send(
      new ListObjectVersionsCommand({ Bucket: 'drive-media', Prefix: 'report.txt' }),
    );
    expect(versions.Versions).toHaveLength(2);
    const old = versions.Versions?.find((version) => version.IsLatest === false);
    const body = await client.send(
      new GetObjectCommand({ Bucket: 'drive-media', Key: 'report.txt', VersionId: old?.VersionId }),
    );
    expect(await body.Body?.transformToString()).toBe('first');
    client.destroy();
  });

  it('answers a CORS preflight from the Drive origin, and not from another one', async () => {
    const allowed = await preflight(target('drive-media'), DRIVE_ORIGIN);
    expect(allowed.status).toBe(200);
    expect(allowed.allowOrigin).toBe(DRIVE_ORIGIN);
    const refused = await preflight(target('drive-media'), 'https://evil.example.net');
    expect(refused.allowOrigin).not.toBe('https://evil.example.net');
    expect(refused.allowOrigin).not.toBe('*');
  });

  it('stores and lists keys with spaces, unicode, %, +, ? and #', async () => {
    const client = bucketClient(store());
    for (const key of KEYS) {
      await client.send(new PutObjectCommand({ Bucket: 'drive-media', Key: key, Body: key }));
      const object = await client.send(new GetObjectCommand({ Bucket: 'drive-media', Key: key }));
      expect(await object.Body?.transformToString()).toBe(key);
    }
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: 'drive-media' }));
    expect(listed.Versions?.map((version) => version.Key)).toEqual(expect.arrayContaining(KEYS));
    client.destroy();
  });

  it('only verifies what it may not change, and says what it found', async () => {
    const client = bucketClient(store());
    const bare = target('drive-bare');
    await configureBucket(bare, SETTINGS, {
      createBucket: true,
      versioning: true,
      cors: false,
      lifecycle: false,
    });
    const result = await configureBucket(bare, SETTINGS, {
      createBucket: false,
      versioning: false,
      cors: false,
      lifecycle: false,
    });
    expect(result.settings.versioning).toEqual({ action: 'verified-only', matches: true });
    expect(result.settings.cors).toEqual({
      action: 'verified-only',
      matches: false,
      observed: 'no CORS rules',
    });
    expect(result.settings.lifecycle.matches).toBe(false);
    client.destroy();
  });

  it('refuses to create a bucket it may only verify', async () => {
    await expect(
      configureBucket(target('drive-missing'), SETTINGS, { ...ALL, createBucket: false }),
    ).rejects.toMatchObject({
      problem: 'Conflict',
      message: expect.stringContaining('drive-missing'),
    });
  });

  it('tells wrong credentials from an unreachable endpoint', async () => {
    const wrong = {
      ...target('drive-media'),
      credentials: { accessKeyId: store().credentials.accessKeyId, secretAccessKey: 'wrong' },
    };
    const rejected = await configureBucket(wrong, SETTINGS, ALL).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(StoreError);
    expect(rejected).toMatchObject({ problem: 'InvalidCredentials', permanent: true });
    expect((rejected as StoreError).message).not.toContain('wrong');
    const unreachable = { ...target('drive-media'), endpoint: 'http://127.0.0.1:9' };
    await expect(configureBucket(unreachable, SETTINGS, ALL)).rejects.toMatchObject({
      problem: 'Unreachable',
      permanent: false,
    });
  });

  it('deletes every version and delete marker, then the bucket; twice is fine', async () => {
    const doomed = target('drive-doomed');
    await configureBucket(doomed, SETTINGS, ALL);
    const client = bucketClient(store());
    for (const body of ['one', 'two'])
      await client.send(new PutObjectCommand({ Bucket: 'drive-doomed', Key: 'f.txt', Body: body }));
    await client.send(new DeleteObjectCommand({ Bucket: 'drive-doomed', Key: 'f.txt' }));
    expect(await deleteBucket(doomed)).toBe(3);
    expect(await deleteBucket(doomed)).toBe(0);
    const again = await configureBucket(doomed, SETTINGS, { ...ALL, createBucket: false }).catch(
      (error: unknown) => error,
    );
    expect(again).toMatchObject({ problem: 'Conflict' });
    client.destroy();
  });
});

// A store without versioning, as some S3-compatible stores are: nginx in front of Ceph RGW
// answers PutBucketVersioning itself, with 501 for one bucket and with a 200 that changes
// nothing for another, and passes every other request through.
describe('a store that refuses or ignores versioning', () => {
  const rgw = useServer(() => startCephRgw());
  const front = useServer(() =>
    startNginx(
      (port) => `
  server {
    listen 127.0.0.1:${String(port)};
    client_max_body_size 0;
    default_type application/xml;
    location / {
      set $versioning "";
      if ($request_method = PUT) { set $versioning "put"; }
      if ($args !~ "(^|&)versioning") { set $versioning ""; }
      if ($uri ~ "^/refuses-versioning") { set $versioning "\${versioning}-refuse"; }
      if ($uri ~ "^/ignores-versioning") { set $versioning "\${versioning}-ignore"; }
      if ($versioning = "put-refuse") {
        return 501 '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>versioning is not implemented</Message></Error>';
      }
      if ($versioning = "put-ignore") { return 200 ''; }
      proxy_set_header Host $http_host;
      proxy_pass ${rgw().endpoint};
    }
  }`,
    ),
  );
  const target = (bucket: string): BucketTarget => ({
    endpoint: front().url,
    region: 'us-east-1',
    bucket,
    credentials: { accessKeyId: rgw().adminAccessKey, secretAccessKey: rgw().adminSecretKey },
  });

  it('stalls with VersioningUnsupported when the store answers NotImplemented', async () => {
    const refused = await configureBucket(target('refuses-versioning'), SETTINGS, ALL).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ problem: 'VersioningUnsupported', permanent: true });
    expect((refused as StoreError).message).toContain(
      'refuses versioning on bucket refuses-versioning',
    );
  });

  it('stalls with VersioningUnsupported when versioning is accepted but does not read back', async () => {
    const ignored = await configureBucket(target('ignores-versioning'), SETTINGS, ALL).catch(
      (error: unknown) => error,
    );
    expect(ignored).toMatchObject({ problem: 'VersioningUnsupported', permanent: true });
    expect((ignored as StoreError).message).toContain('reads back versioning is Disabled');
  });
});

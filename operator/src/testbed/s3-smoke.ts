// The smoke check both S3 servers pass: a versioned overwrite keeps the old version.
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'vitest';

export async function expectVersionedRoundTrip(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(
    new PutBucketVersioningCommand({
      Bucket: bucket,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  const key = 'item/0001/report v1.txt';
  const first = await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'first' }),
  );
  const second = await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'second' }),
  );
  expect(first.VersionId).toBeTruthy();
  expect(second.VersionId).not.toBe(first.VersionId);
  const latest = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  expect(await latest.Body?.transformToString()).toBe('second');
  const old = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: first.VersionId }),
  );
  expect(await old.Body?.transformToString()).toBe('first');
  const versions = await client.send(
    new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'item/' }),
  );
  expect(versions.Versions?.map((v) => v.VersionId).sort()).toEqual(
    [first.VersionId, second.VersionId].sort(),
  );
}

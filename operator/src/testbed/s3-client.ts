import type { S3Client } from '@aws-sdk/client-s3';
import { bucketClient } from '../ports/s3/bucket.js';

/** The operator's own S3 client (path-style, checksums only when required) for test-bed stores. */
export function s3Client(
  endpoint: string,
  accessKeyId: string,
  secretAccessKey: string,
  region = 'us-east-1',
): S3Client {
  return bucketClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey } });
}

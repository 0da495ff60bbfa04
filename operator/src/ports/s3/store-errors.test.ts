import { describe, expect, it } from 'vitest';
import { StoreError, storeError } from './store-errors.js';

const ENDPOINT = 'http://127.0.0.1:7480';
const sdkError = (name: string, status?: number) =>
  Object.assign(new Error(`${name} message`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });

describe('storeError', () => {
  it.each([
    [sdkError('InvalidAccessKeyId', 403), 'InvalidCredentials', true],
    [sdkError('SignatureDoesNotMatch', 403), 'InvalidCredentials', true],
    [sdkError('AccessDenied', 403), 'AccessDenied', true],
    [sdkError('BucketAlreadyExists', 409), 'Conflict', true],
    [sdkError('NotImplemented', 501), 'Unsupported', true],
    [sdkError('InternalError', 500), 'Unreachable', false],
    [sdkError('SlowDown', 503), 'Unreachable', false],
    [sdkError('TimeoutError'), 'Unreachable', false],
    [
      Object.assign(new Error('fetch failed'), {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      }),
      'Unreachable',
      false,
    ],
  ] as const)('classifies %s as %s', (error, problem, permanent) => {
    const classified = storeError(error, ENDPOINT, 'HeadBucket on bucket media');
    expect(classified.problem).toBe(problem);
    expect(classified.permanent).toBe(permanent);
    expect(classified.message).toContain('HeadBucket on bucket media');
    expect(classified.message).toContain(ENDPOINT);
  });

  it('names the fix for rejected credentials and keeps a StoreError as it is', () => {
    const classified = storeError(sdkError('InvalidAccessKeyId', 403), ENDPOINT, 'ListBuckets');
    expect(classified.message).toMatch(/check the access key and secret/);
    expect(storeError(classified, 'elsewhere', 'other')).toBe(classified);
    expect(classified).toBeInstanceOf(StoreError);
  });
});

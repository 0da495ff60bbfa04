import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.js';
import { checkChunk, type UploadLimits } from './chunk-policy.js';

const MiB = 1 << 20;
const limits: UploadLimits = {
  chunked: true,
  chunkSizeBytes: 8 * MiB,
  minChunkSizeBytes: 256 * 1024,
  maxChunkSizeBytes: 8 * MiB,
  maxFileSizeBytes: 100 * MiB,
};

function kind(work: () => void): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.kind : 'other';
  }
}

describe('chunk sizes', () => {
  const check =
    (contentLength: string | undefined, offset: number, size = 20 * MiB) =>
    () => {
      checkChunk(limits, { contentLength, offset, size });
    };

  it('takes a chunk between the bounds, and a short one that completes the upload', () => {
    expect(kind(check(String(8 * MiB), 0))).toBeUndefined();
    expect(kind(check(String(256 * 1024), 0))).toBeUndefined();
    expect(kind(check(String(4 * MiB), 16 * MiB))).toBeUndefined();
    expect(kind(check('10', 0, 10))).toBeUndefined();
  });

  it('refuses a chunk too large, a short one in the middle, and one without a length', () => {
    expect(kind(check(String(8 * MiB + 1), 0))).toBe('TooLarge');
    expect(kind(check('1000', 0))).toBe('Invalid');
    expect(kind(check(undefined, 0))).toBe('LengthRequired');
    expect(kind(check('12abc', 0))).toBe('LengthRequired');
  });

  it('checks nothing when uploads are not chunked', () => {
    expect(
      kind(() => {
        checkChunk({ ...limits, chunked: false }, { contentLength: undefined, offset: 0, size: 1 });
      }),
    ).toBeUndefined();
  });
});

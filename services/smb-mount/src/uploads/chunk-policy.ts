// Chunked uploads: with UPLOAD_CHUNKED=true every PATCH body is at most the configured chunk
// size, and (unless it completes the upload) at least MIN_CHUNK_BYTES, so that one killed request
// loses at most one chunk and a client cannot turn an upload into thousands of tiny requests.
import type { MountsConfig } from '../config.js';
import { ApiError } from '../api/errors.js';

/** The smallest chunk the configuration accepts (config.ts's lower bound). */
export const MIN_CHUNK_BYTES = 256 * 1024;

export interface UploadLimits {
  chunked: boolean;
  chunkSizeBytes: number;
  minChunkSizeBytes: number;
  maxChunkSizeBytes: number;
  maxFileSizeBytes: number;
}

export function uploadLimits(config: MountsConfig): UploadLimits {
  return {
    chunked: config.UPLOAD_CHUNKED,
    chunkSizeBytes: config.UPLOAD_CHUNK_SIZE_BYTES,
    minChunkSizeBytes: Math.min(MIN_CHUNK_BYTES, config.UPLOAD_CHUNK_SIZE_BYTES),
    maxChunkSizeBytes: config.UPLOAD_CHUNK_SIZE_BYTES,
    maxFileSizeBytes: config.UPLOAD_MAX_FILE_SIZE_BYTES,
  };
}

/**
 * Checks one request body of an upload (a PATCH, or a POST that creates with data) before any
 * of it is read. `contentLength` is the header as sent; `offset` where the body goes; `size` the
 * upload's declared length.
 */
export function checkChunk(
  limits: UploadLimits,
  body: { contentLength: string | undefined; offset: number; size: number },
): void {
  if (!limits.chunked) return;
  if (body.contentLength === undefined || !/^\d+$/.test(body.contentLength))
    throw new ApiError('LengthRequired', 'a chunk must declare its Content-Length');
  const length = Number(body.contentLength);
  if (length > limits.maxChunkSizeBytes)
    throw new ApiError(
      'TooLarge',
      `a chunk may hold at most ${String(limits.maxChunkSizeBytes)} bytes`,
    );
  const completes = body.offset + length >= body.size;
  if (length < limits.minChunkSizeBytes && !completes)
    throw new ApiError(
      'Invalid',
      `a chunk that does not complete the upload must hold at least ${String(limits.minChunkSizeBytes)} bytes`,
    );
}

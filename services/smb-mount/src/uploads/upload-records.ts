// The state of each resumable upload, in Redis so that any replica (or this one after a
// restart) continues it: where it goes, its temporary file, the bytes known to be written, and
// once committed, the version it became. A record expires with the upload.
import type { Redis } from 'ioredis';
import { viaRedis } from '../redis.js';

export interface UploadRecord {
  id: string;
  mount: string;
  /** The principal's sub: only its creator continues, inspects or cancels an upload. */
  owner: string;
  /** Target directory and name, mount-relative. */
  dir: string;
  name: string;
  /** The temporary file's id (SmbUpload.id). */
  tempId: string;
  size: number;
  /** Bytes on the share with no hole before them: what HEAD reports. */
  offset: number;
  metadata: Record<string, string | null>;
  createdAt: string;
  committed?: { version: string; path: string };
  /** A commit that cannot succeed as things are (say, a directory took the name). */
  failed?: string;
}

export const UPLOAD_TTL_SECONDS = 24 * 60 * 60;

export class UploadRecords {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlSeconds: number;

  constructor(redis: Redis, options: { prefix?: string; ttlSeconds?: number } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'smb-mount:upload:';
    this.#ttlSeconds = options.ttlSeconds ?? UPLOAD_TTL_SECONDS;
  }

  #key(id: string): string {
    return `${this.#prefix}${id}`;
  }

  async get(id: string): Promise<UploadRecord | undefined> {
    const text = await viaRedis(() => this.#redis.get(this.#key(id)));
    return text === null ? undefined : (JSON.parse(text) as UploadRecord);
  }

  async put(record: UploadRecord): Promise<void> {
    await viaRedis(() =>
      this.#redis.set(this.#key(record.id), JSON.stringify(record), 'EX', this.#ttlSeconds),
    );
  }

  async delete(id: string): Promise<void> {
    await viaRedis(() => this.#redis.del(this.#key(id)));
  }

  /**
   * Claims the commit of an upload for `ms`: true for the one caller that gets it. Two requests
   * finishing the same upload (a retried final PATCH on another replica) commit once.
   */
  async claimCommit(id: string, ms: number): Promise<boolean> {
    const claimed = await viaRedis(() =>
      this.#redis.set(`${this.#key(id)}:commit`, '1', 'PX', ms, 'NX'),
    );
    return claimed === 'OK';
  }

  async releaseCommit(id: string): Promise<void> {
    await viaRedis(() => this.#redis.del(`${this.#key(id)}:commit`));
  }
}

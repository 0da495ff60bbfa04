// The service's temporary files on every mount, in one Redis sorted set scored by when each may be
// considered abandoned. An upload nobody finishes, or a process killed mid-write, leaves its
// temporary file on the share, hidden from listings; the sweeper removes those past their time.
// Any replica may sweep: taking an entry out of the set is the claim, so each file is removed once.
import type { Redis } from 'ioredis';
import type { SmbBackend, TempFileTracker } from '../smb/backend.js';
import { SmbError } from '../smb/errors.js';
import { UPLOAD_TTL_SECONDS } from './upload-records.js';

/** An upload's record lives 24 h after its last request; its file is kept an hour longer. */
export const ABANDONED_AFTER_MS = (UPLOAD_TTL_SECONDS + 3600) * 1000;
/** A mount that cannot be reached now is swept again this much later. */
const RETRY_MS = 10 * 60 * 1000;

export interface SweepResult {
  removed: number;
  /** Already gone: committed or removed by a path the ledger did not hear of. */
  gone: number;
  /** Put back for later: the mount was unreachable. */
  postponed: number;
  /** Not a temporary file's path: never touched. */
  refused: number;
}

export interface TempFileLedgerOptions {
  key?: string;
  abandonedAfterMs?: number;
  now?: () => number;
}

export class TempFileLedger {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #abandonedAfterMs: number;
  readonly #now: () => number;

  constructor(redis: Redis, options: TempFileLedgerOptions = {}) {
    this.#redis = redis;
    this.#key = options.key ?? 'smb-mount:temp-files';
    this.#abandonedAfterMs = options.abandonedAfterMs ?? ABANDONED_AFTER_MS;
    this.#now = options.now ?? Date.now;
  }

  tracker(mount: string): TempFileTracker {
    const member = (path: string) => JSON.stringify([mount, path]);
    return {
      inUse: async (path) => {
        await this.#redis.zadd(this.#key, this.#now() + this.#abandonedAfterMs, member(path));
      },
      finished: async (path) => {
        await this.#redis.zrem(this.#key, member(path));
      },
    };
  }

  /** Removes up to `limit` temporary files past their time, on the mounts `backendOf` knows. */
  async sweep(
    backendOf: (mount: string) => Promise<SmbBackend> | undefined,
    limit = 200,
  ): Promise<SweepResult> {
    const result: SweepResult = { removed: 0, gone: 0, postponed: 0, refused: 0 };
    const due = await this.#redis.zrangebyscore(this.#key, '-inf', this.#now(), 'LIMIT', 0, limit);
    for (const member of due) {
      // Another replica may sweep the same entry: only the one that takes it out removes it.
      if ((await this.#redis.zrem(this.#key, member)) === 0) continue;
      const [mount, path] = JSON.parse(member) as [string, string];
      // A mount no longer configured: its share is not ours to touch any more.
      const backend = backendOf(mount);
      if (backend === undefined) continue;
      try {
        if (await (await backend).removeTempFile(path)) result.removed += 1;
        else result.gone += 1;
      } catch (error) {
        if (!(error instanceof SmbError)) throw error;
        if (error.kind === 'Invalid') {
          result.refused += 1;
          continue;
        }
        await this.#redis.zadd(this.#key, this.#now() + RETRY_MS, member);
        result.postponed += 1;
      }
    }
    return result;
  }

  /** Starts sweeping every `intervalMs`; the returned function stops it. */
  start(
    backendOf: (mount: string) => Promise<SmbBackend> | undefined,
    onSwept: (result: SweepResult) => void,
    onError: (error: unknown) => void,
    intervalMs = RETRY_MS,
  ): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.sweep(backendOf)
        .then(onSwept, onError)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }
}

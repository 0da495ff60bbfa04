// tus's Locker over Redis: one request at a time per upload across all replicas. A lock expires
// unless its holder renews it (a killed holder frees it within the TTL); a request waiting for a
// lock asks the holder to let go, since the holder is usually a request whose client already gave
// up on it (tus's "request release").
import { randomBytes } from 'node:crypto';
import type { Lock, Locker, RequestRelease } from '@tus/utils';
import type { Redis } from 'ioredis';
import { viaRedis } from '../redis.js';
import { TusError } from './tus-errors.js';

export interface RedisLockerOptions {
  prefix?: string;
  /** Lifetime of a lock not renewed. */
  ttlMs?: number;
  /** How long a request waits for a lock before failing. */
  acquireTimeoutMs?: number;
  pollMs?: number;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisLocker implements Locker {
  readonly redis: Redis;
  readonly options: Required<RedisLockerOptions>;

  constructor(redis: Redis, options: RedisLockerOptions = {}) {
    this.redis = redis;
    this.options = {
      prefix: 'smb-mount:upload-lock:',
      // Short: a killed holder blocks the upload's next request (the client's resume) this long.
      ttlMs: 10_000,
      acquireTimeoutMs: 20_000,
      pollMs: 50,
      ...options,
    };
  }

  newLock(id: string): Lock {
    return new RedisLock(this, id);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class RedisLock implements Lock {
  readonly #locker: RedisLocker;
  readonly #key: string;
  readonly #releaseKey: string;
  readonly #token = randomBytes(16).toString('hex');
  #renewal: NodeJS.Timeout | undefined;

  constructor(locker: RedisLocker, id: string) {
    this.#locker = locker;
    this.#key = `${locker.options.prefix}${id}`;
    this.#releaseKey = `${this.#key}:release`;
  }

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const { redis, options } = this.#locker;
    const deadline = Date.now() + options.acquireTimeoutMs;
    let asked = false;
    for (;;) {
      if (signal.aborted) throw new TusError('ERR_LOCK_TIMEOUT');
      const taken = await viaRedis(() =>
        redis.set(this.#key, this.#token, 'PX', options.ttlMs, 'NX'),
      );
      if (taken === 'OK') break;
      if (!asked) {
        asked = true;
        await viaRedis(() => redis.set(this.#releaseKey, '1', 'PX', options.acquireTimeoutMs));
      }
      if (Date.now() >= deadline) throw new TusError('ERR_LOCK_TIMEOUT');
      await sleep(options.pollMs, signal);
    }
    // A release asked for before this lock was taken was meant for the previous holder.
    await viaRedis(() => redis.del(this.#releaseKey));
    this.#renewal = setInterval(
      () => {
        void this.#renew(requestRelease);
      },
      Math.max(options.pollMs * 4, Math.floor(options.ttlMs / 5)),
    );
    this.#renewal.unref();
  }

  async #renew(requestRelease: RequestRelease): Promise<void> {
    const { redis, options } = this.#locker;
    try {
      await redis.eval(RENEW, 1, this.#key, this.#token, String(options.ttlMs));
      if ((await redis.del(this.#releaseKey)) > 0) await requestRelease();
    } catch {
      // Redis unreachable: the lock lapses after its TTL, as it would for a dead holder.
    }
  }

  async unlock(): Promise<void> {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
    // Unreachable, the lock lapses after its TTL anyway.
    await this.#locker.redis.eval(RELEASE, 1, this.#key, this.#token).catch(() => undefined);
  }
}

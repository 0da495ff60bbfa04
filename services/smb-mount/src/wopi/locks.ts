// WOPI locks in Redis, shared by every replica (and by nothing else: the SMB share knows nothing of
// them). Each operation is one Lua script, so a read and its write are atomic: of two editors
// racing for a free file, exactly one gets the lock. Keys hold a hash of the case-folded path, so
// names differing only in case (one file to Samba's default case-insensitive shares) share a lock,
// and no path appears in Redis.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { WopiFile } from './file-id.js';
import type { LockOperation, LockOutcome } from './lock-state.js';

/** The spec's lock expiry, and Drive's WOPI_LOCK_TIMEOUT. */
export const DEFAULT_LOCK_TTL_MS = 30 * 60_000;

/** The Redis commands this needs; an ioredis client (or cluster) has them. */
export type LockRedis = Pick<Redis, 'get' | 'eval' | 'evalsha' | 'pttl'>;

// KEYS[1] the lock; ARGV: operation, lock, ttl (ms), old lock. Mirrors lock-state.ts applyLock.
// Returns {1, next or ''} or {0, current or ''}.
export const LOCK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
local op, lock, ttl, old = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if op == 'lock' then
  if not current then
    redis.call('SET', KEYS[1], lock, 'PX', ttl)
    return {1, lock}
  end
  if current == lock then
    redis.call('PEXPIRE', KEYS[1], ttl)
    return {1, lock}
  end
  return {0, current}
end
if not current then return {0, ''} end
if op == 'relock' then
  if current == old then
    redis.call('SET', KEYS[1], lock, 'PX', ttl)
    return {1, lock}
  end
  return {0, current}
end
if current ~= lock then return {0, current} end
if op == 'refresh' then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, lock}
end
if op == 'unlock' then
  redis.call('DEL', KEYS[1])
  return {1, ''}
end
return redis.error_reply('unknown lock operation')
`;

const SCRIPT_SHA = createHash('sha1').update(LOCK_SCRIPT).digest('hex');

export class LockStore {
  readonly #redis: LockRedis;
  readonly ttlMs: number;
  readonly #prefix: string;

  constructor(redis: LockRedis, options: { ttlMs?: number; keyPrefix?: string } = {}) {
    this.#redis = redis;
    this.ttlMs = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    this.#prefix = options.keyPrefix ?? 'smb-mount:wopi:lock:';
    if (!Number.isSafeInteger(this.ttlMs) || this.ttlMs < 1) throw new RangeError('lock ttlMs');
  }

  key(file: WopiFile): string {
    const folded = file.path.toString().normalize('NFC').toLowerCase();
    return `${this.#prefix}${file.mount}:${createHash('sha256').update(folded).digest('hex')}`;
  }

  /** The file's lock, null when it holds none. */
  async current(file: WopiFile): Promise<string | null> {
    return this.#redis.get(this.key(file));
  }

  async apply(file: WopiFile, operation: LockOperation): Promise<LockOutcome> {
    const args = [
      operation.kind,
      operation.lock,
      String(this.ttlMs),
      operation.kind === 'relock' ? operation.oldLock : '',
    ];
    const key = this.key(file);
    let reply: unknown;
    try {
      reply = await this.#redis.evalsha(SCRIPT_SHA, 1, key, ...args);
    } catch (error) {
      // First use on this server (or after SCRIPT FLUSH): EVAL loads the script into its cache.
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      reply = await this.#redis.eval(LOCK_SCRIPT, 1, key, ...args);
    }
    const [ok, value] = reply as [number, string];
    if (ok === 1)
      return {
        ok: true,
        next: value === '' ? null : value,
        expiryReset: operation.kind !== 'unlock',
      };
    return { ok: false, current: value };
  }

  /** Milliseconds before the file's lock expires; negative when it holds none (Redis PTTL). */
  async remainingMs(file: WopiFile): Promise<number> {
    return this.#redis.pttl(this.key(file));
  }
}

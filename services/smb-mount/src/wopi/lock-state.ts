// The WOPI lock rules as a state machine over "the lock a file holds" (none, or an opaque string):
// the reference the Redis script in locks.ts implements atomically, and the rule PutFile applies.
// From the spec's Lock, UnlockAndRelock, RefreshLock, Unlock and PutFile pages.

export type LockOperation =
  | { kind: 'lock'; lock: string }
  /** Lock with X-WOPI-OldLock: UnlockAndRelock. */
  | { kind: 'relock'; lock: string; oldLock: string }
  | { kind: 'refresh'; lock: string }
  | { kind: 'unlock'; lock: string };

export type LockOutcome =
  /** `next` is the lock afterwards (null: unlocked); `expiryReset` when its timer starts anew. */
  | { ok: true; next: string | null; expiryReset: boolean }
  /** A mismatch: 409 with `current` ('' when the file holds no lock). */
  | { ok: false; current: string };

export function applyLock(current: string | null, operation: LockOperation): LockOutcome {
  switch (operation.kind) {
    case 'lock':
      // Locking with the lock the file already has is a refresh, not a conflict.
      if (current === null || current === operation.lock)
        return { ok: true, next: operation.lock, expiryReset: true };
      return { ok: false, current };
    case 'relock':
      if (current !== null && current === operation.oldLock)
        return { ok: true, next: operation.lock, expiryReset: true };
      return { ok: false, current: current ?? '' };
    case 'refresh':
      if (current !== null && current === operation.lock)
        return { ok: true, next: current, expiryReset: true };
      return { ok: false, current: current ?? '' };
    case 'unlock':
      if (current !== null && current === operation.lock)
        return { ok: true, next: null, expiryReset: false };
      return { ok: false, current: current ?? '' };
  }
}

export type PutFileVerdict = { ok: true } | { ok: false; current: string; reason: string };

/**
 * PutFile: with a lock on the file, X-WOPI-Lock must match it. Without one, only a 0-byte file
 * may be written (a file just created for the editor to fill); anything else answers 409 with an
 * empty X-WOPI-Lock.
 */
export function putFileAllowed(
  current: string | null,
  lockHeader: string | undefined,
  currentSize: number,
): PutFileVerdict {
  if (current !== null) {
    if (lockHeader !== undefined && lockHeader === current) return { ok: true };
    return {
      ok: false,
      current,
      reason: lockHeader ? 'the file holds another lock' : 'the file is locked',
    };
  }
  if (currentSize === 0) return { ok: true };
  return { ok: false, current: '', reason: 'the file is not locked and not empty' };
}

/** Lock ids are opaque ASCII strings of up to 1024 characters (WOPI, "Lock"). */
export function validLockId(lock: string | undefined): lock is string {
  return (
    lock !== undefined && lock.length > 0 && lock.length <= 1024 && /^[\x20-\x7e]+$/.test(lock)
  );
}

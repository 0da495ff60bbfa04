import { describe, expect, it } from 'vitest';
import { applyLock, putFileAllowed, validLockId, type LockOperation } from './lock-state.js';

describe('the WOPI lock state machine', () => {
  const lock = (l: string): LockOperation => ({ kind: 'lock', lock: l });
  const relock = (l: string, old: string): LockOperation => ({
    kind: 'relock',
    lock: l,
    oldLock: old,
  });
  const refresh = (l: string): LockOperation => ({ kind: 'refresh', lock: l });
  const unlock = (l: string): LockOperation => ({ kind: 'unlock', lock: l });

  it.each<[string | null, LockOperation, ReturnType<typeof applyLock>]>([
    // Lock: takes a free file, refreshes its own, conflicts with another.
    [null, lock('A'), { ok: true, next: 'A', expiryReset: true }],
    ['A', lock('A'), { ok: true, next: 'A', expiryReset: true }],
    ['A', lock('B'), { ok: false, current: 'A' }],
    // UnlockAndRelock: only from the named old lock.
    ['A', relock('B', 'A'), { ok: true, next: 'B', expiryReset: true }],
    ['A', relock('B', 'C'), { ok: false, current: 'A' }],
    [null, relock('B', 'A'), { ok: false, current: '' }],
    // RefreshLock: the same lock only; an unlocked file answers an empty current lock.
    ['A', refresh('A'), { ok: true, next: 'A', expiryReset: true }],
    ['A', refresh('B'), { ok: false, current: 'A' }],
    [null, refresh('A'), { ok: false, current: '' }],
    // Unlock: the same lock only; unlocking an unlocked file is a conflict too.
    ['A', unlock('A'), { ok: true, next: null, expiryReset: false }],
    ['A', unlock('B'), { ok: false, current: 'A' }],
    [null, unlock('A'), { ok: false, current: '' }],
  ])('from %j, %j gives %j', (current, operation, outcome) => {
    expect(applyLock(current, operation)).toEqual(outcome);
  });

  it('runs a whole editing session', () => {
    let state: string | null = null;
    const step = (operation: LockOperation) => {
      const outcome = applyLock(state, operation);
      if (outcome.ok) state = outcome.next;
      return outcome.ok;
    };
    expect(step(lock('cool-lock1'))).toBe(true);
    expect(step(lock('cool-lock2'))).toBe(false);
    expect(step(refresh('cool-lock1'))).toBe(true);
    expect(step(relock('cool-lock3', 'cool-lock1'))).toBe(true);
    expect(step(unlock('cool-lock1'))).toBe(false);
    expect(step(unlock('cool-lock3'))).toBe(true);
    expect(state).toBeNull();
    expect(step(lock('cool-lock2'))).toBe(true);
  });
});

describe('PutFile and locks', () => {
  it.each<[string | null, string | undefined, number, ReturnType<typeof putFileAllowed>]>([
    ['A', 'A', 10, { ok: true }],
    ['A', 'B', 10, { ok: false, current: 'A', reason: 'the file holds another lock' }],
    ['A', undefined, 10, { ok: false, current: 'A', reason: 'the file is locked' }],
    ['A', undefined, 0, { ok: false, current: 'A', reason: 'the file is locked' }],
    [null, undefined, 0, { ok: true }],
    [null, 'A', 0, { ok: true }],
    [
      null,
      undefined,
      10,
      { ok: false, current: '', reason: 'the file is not locked and not empty' },
    ],
    [null, 'A', 10, { ok: false, current: '', reason: 'the file is not locked and not empty' }],
  ])('lock %j, X-WOPI-Lock %j, %i bytes: %j', (current, header, size, verdict) => {
    expect(putFileAllowed(current, header, size)).toEqual(verdict);
  });
});

describe('lock ids', () => {
  it.each([
    ['cool-lock1a2b3c4d', true],
    ['{"S":"1","F":2}', true],
    ['x'.repeat(1024), true],
    ['x'.repeat(1025), false],
    ['', false],
    [undefined, false],
    ['tab\there', false],
    ['naïve', false],
  ])('%j is valid: %s', (lock, valid) => {
    expect(validLockId(lock)).toBe(valid);
  });
});

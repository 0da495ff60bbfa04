import { describe, expect, it } from 'vitest';
import { nextConditions } from './conditions.js';

const T0 = '2026-11-21T00:00:00.000Z';
const T1 = '2026-11-21T01:00:00.000Z';

describe('the status contract', () => {
  it('marks work in progress Reconciling, never Stalled', () => {
    const conditions = nextConditions(
      undefined,
      3,
      { state: 'Progressing', reason: 'WaitingForStorage', message: 'm' },
      [],
      T0,
    );
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Ready', 'False', 'WaitingForStorage', 3],
      ['Reconciling', 'True', 'WaitingForStorage', 3],
    ]);
  });

  it('marks what needs a person Stalled, and drops Reconciling', () => {
    const progressing = nextConditions(
      undefined,
      1,
      { state: 'Progressing', reason: 'A', message: 'm' },
      [],
      T0,
    );
    const stalled = nextConditions(
      progressing,
      1,
      { state: 'Stalled', reason: 'SecretKeyMissing', message: 'm' },
      [],
      T1,
    );
    expect(stalled.map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'False'],
      ['Stalled', 'True'],
    ]);
  });

  it('keeps lastTransitionTime while a status holds', () => {
    const first = nextConditions(undefined, 1, { state: 'Ready', message: 'ok' }, [], T0);
    const second = nextConditions(first, 2, { state: 'Ready', message: 'still ok' }, [], T1);
    expect(second[0]).toMatchObject({
      status: 'True',
      lastTransitionTime: T0,
      observedGeneration: 2,
      message: 'still ok',
    });
  });

  it('reports a pause without touching Ready', () => {
    const ready = nextConditions(undefined, 1, { state: 'Ready', message: 'ok' }, [], T0);
    const paused = nextConditions(ready, 1, { state: 'Paused' }, [], T1);
    expect(paused.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(paused.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'False',
      reason: 'Paused',
    });
  });

  it('keeps domain conditions after the three common ones, sorted', () => {
    const conditions = nextConditions(
      undefined,
      1,
      { state: 'Ready', message: 'ok' },
      [
        { type: 'WorkloadsAvailable', status: 'True', reason: 'Succeeded', message: '' },
        { type: 'BucketReady', status: 'True', reason: 'Succeeded', message: '' },
      ],
      T0,
    );
    expect(conditions.map((c) => c.type)).toEqual(['Ready', 'BucketReady', 'WorkloadsAvailable']);
  });
});

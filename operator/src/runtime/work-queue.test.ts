import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const seen: string[] = [];
    const queue = new WorkQueue(
      (key) => {
        seen.push(key);
        return Promise.resolve(undefined);
      },
      { concurrency: 2 },
    );
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.start();
    await sleep(20);
    await queue.shutdown();
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('never handles one key in two workers, and handles it again if it changed meanwhile', async () => {
    const gate = deferred();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    const queue = new WorkQueue(
      async () => {
        calls += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        if (calls === 1) await gate.promise;
        running -= 1;
        return undefined;
      },
      { concurrency: 4 },
    );
    queue.start();
    queue.add('a');
    await sleep(5);
    queue.add('a');
    queue.add('a');
    gate.resolve();
    await sleep(20);
    await queue.shutdown();
    expect(maxRunning).toBe(1);
    expect(calls).toBe(2);
  });

  it('retries a failing key with growing, jittered backoff and reports each failure', async () => {
    const attempts: number[] = [];
    const queue = new WorkQueue(() => Promise.reject(new Error('down')), {
      concurrency: 1,
      baseDelayMs: 10,
      maxDelayMs: 1000,
      random: () => 0.5,
      onError: (_key, _error, attempt) => attempts.push(attempt),
    });
    queue.start();
    queue.add('a');
    await sleep(100);
    await queue.shutdown();
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    const fresh = new WorkQueue(() => Promise.resolve(undefined), {
      concurrency: 1,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      random: () => 0,
    });
    expect([fresh.backoff('k'), fresh.backoff('k'), fresh.backoff('k')]).toEqual([80, 160, 320]);
    fresh.forget('k');
    expect(fresh.backoff('k')).toBe(80);
    expect(
      new WorkQueue(() => Promise.resolve(undefined), {
        concurrency: 1,
        baseDelayMs: 100,
        maxDelayMs: 150,
        random: () => 1,
      }).backoff('k'),
    ).toBe(120);
  });

  it('requeues after the delay a handler asks for', async () => {
    let calls = 0;
    const queue = new WorkQueue(
      () => {
        calls += 1;
        return Promise.resolve(calls === 1 ? { requeueAfterMs: 30 } : undefined);
      },
      { concurrency: 1 },
    );
    queue.start();
    queue.add('a');
    await sleep(10);
    expect(calls).toBe(1);
    await sleep(60);
    await queue.shutdown();
    expect(calls).toBe(2);
  });

  it('waits for keys in flight when shut down', async () => {
    let finished = false;
    const queue = new WorkQueue(
      async () => {
        await sleep(30);
        finished = true;
        return undefined;
      },
      { concurrency: 1 },
    );
    queue.start();
    queue.add('a');
    await sleep(5);
    await queue.shutdown();
    expect(finished).toBe(true);
  });
});

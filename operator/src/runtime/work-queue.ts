// A per-key work queue with client-go's guarantees: a key is queued at most once, never handled
// by two workers at the same time, and re-handled once more if it changed while being handled.
// Failed keys come back with per-key exponential backoff and jitter; requeue-after is a timer.

export type KeyHandler = (key: string) => Promise<ReconcileResult | undefined>;

export interface ReconcileResult {
  /** Handle the key again after this many milliseconds (drift polling, waiting for children). */
  requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  concurrency: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a handler throws; the key is requeued with backoff. */
  onError?: (key: string, error: unknown, attempt: number) => void;
  random?: () => number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private stopping = false;

  constructor(
    private readonly handler: KeyHandler,
    private readonly options: WorkQueueOptions,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.stopping || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Adds the key after a delay; an earlier pending timer for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopping) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** The delay before the next attempt of a failing key: exponential, capped, jittered ±20 %. */
  backoff(key: string): number {
    const attempt = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, attempt);
    const base = this.options.baseDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 300_000;
    const delay = Math.min(max, base * 2 ** (attempt - 1));
    const jitter = 0.8 + 0.4 * (this.options.random ?? Math.random)();
    return Math.round(delay * jitter);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  start(): void {
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /** Stops taking keys and waits for the keys being handled. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    while (this.waiters.length > 0) this.waiters.shift()?.();
    await Promise.all(this.workers);
  }

  private async next(): Promise<string | undefined> {
    while (!this.stopping) {
      const key = this.queue.shift();
      if (key !== undefined) return key;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.dirty.delete(key);
      this.processing.add(key);
      try {
        const result = await this.handler(key);
        this.forget(key);
        if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        const delay = this.backoff(key);
        this.options.onError?.(key, error, this.failures.get(key) ?? 1);
        this.addAfter(key, delay);
      } finally {
        this.processing.delete(key);
        if (this.dirty.has(key) && !this.stopping) {
          this.queue.push(key);
          this.waiters.shift()?.();
        }
      }
    }
  }
}

// A fixed set of worker threads, each with its own libsmbclient context, that run SMB requests
// one at a time each. libsmbclient blocks, so nothing of it runs on the event loop. A request
// that outlives its timeout means a worker stuck in libsmbclient: the pool gives up on that
// worker, fails the request and starts a fresh worker in its place.
import { Worker } from 'node:worker_threads';
import { kindOf, SmbError } from './errors.js';
import type { NativeContextOptions } from './native.js';
import type {
  HandleRef,
  OperationName,
  Operations,
  Request,
  Response,
  WorkerInit,
  WorkerStarted,
} from './protocol.js';

export interface PoolOptions {
  context: NativeContextOptions;
  /**
   * The mount root. Every first worker stats it, so that a wrong password or a refused protocol
   * fails open(); workers stat it again before a non-idempotent request on an idle connection.
   */
  rootUrl: string;
  /** Worker threads, hence SMB connections and requests in flight. Default 4. */
  workers?: number;
  /** How long one request may take before its worker is replaced. Default 30 s. */
  operationTimeoutMs?: number;
}

type Args<Name extends OperationName> = Operations[Name]['args'];
type Result<Name extends OperationName> = Operations[Name]['result'];

interface Pending {
  op: OperationName;
  args: object;
  transfer: ArrayBuffer[];
  /** Requests about one worker's descriptors go to that worker only. */
  slot?: Slot;
  resolve(value: unknown): void;
  reject(error: SmbError): void;
  /** Stops listening to the caller's abort signal, once the request left the queue. */
  detach?: () => void;
}

interface Slot {
  worker: Worker;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  current?: { id: number; pending: Pending; timer: NodeJS.Timeout };
  /** Pool handles this worker holds a descriptor for. */
  opened: Set<number>;
  started: Promise<void>;
}

function spawn(init: WorkerInit): Worker {
  const here = import.meta.url;
  // Under the tests the sources run as TypeScript: the worker registers tsx before loading its
  // module. Built, it is plain dist/smb/worker.js.
  if (here.endsWith('.ts')) {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./worker.ts', here).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(new URL('./worker.js', here), { workerData: init });
}

function failure(
  kind: 'Unavailable' | 'Timeout',
  message: string,
  op: string,
  code?: string,
): SmbError {
  return new SmbError(kind, message, { operation: op, code });
}

export class SmbPool {
  readonly #options: Required<PoolOptions>;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #nextHandle = 1;
  #closed = false;

  private constructor(options: PoolOptions) {
    this.#options = {
      workers: options.workers ?? 4,
      operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
      context: options.context,
      rootUrl: options.rootUrl,
    };
    if (!Number.isInteger(this.#options.workers) || this.#options.workers < 1)
      throw new RangeError('workers must be a positive integer');
  }

  /** Starts every worker and connects each; fails as the first failing worker does. */
  static async open(options: PoolOptions): Promise<SmbPool> {
    const pool = new SmbPool(options);
    for (let index = 0; index < pool.#options.workers; index += 1)
      pool.#slots.push(pool.#start(true));
    try {
      await Promise.all(pool.#slots.map((slot) => slot.started));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#options.workers;
  }

  #start(connect: boolean): Slot {
    const init: WorkerInit = {
      options: this.#options.context,
      rootUrl: this.#options.rootUrl,
      connect,
    };
    const worker = spawn(init);
    let settle: { resolve(): void; reject(error: unknown): void } | undefined;
    const slot: Slot = {
      worker,
      state: 'starting',
      opened: new Set(),
      started: new Promise<void>((resolve, reject) => {
        settle = { resolve, reject };
      }),
    };
    // A replacement's start is awaited by nobody: its failure shows in the requests it fails.
    slot.started.catch(() => undefined);
    worker.on('message', (message: WorkerStarted | Response) => {
      if ('ready' in message) {
        if (message.ready) {
          slot.state = 'idle';
          settle?.resolve();
          this.#pump();
        } else {
          const error = new SmbError(
            kindOf(message.error.code),
            `connecting to the share failed: ${message.error.message}`,
            { operation: 'connect', code: message.error.code },
          );
          this.#retire(slot, error);
          settle?.reject(error);
          this.#failQueuedWithoutWorkers(error);
        }
        return;
      }
      this.#settle(slot, message);
    });
    worker.on('error', (error) => {
      const reason = failure('Unavailable', `SMB worker failed: ${error.message}`, 'worker');
      settle?.reject(reason);
      this.#retire(slot, reason);
      this.#replace(slot);
    });
    worker.on('exit', () => {
      if (slot.state === 'dead') return;
      const reason = failure('Unavailable', 'SMB worker exited', 'worker');
      settle?.reject(reason);
      this.#retire(slot, reason);
      this.#replace(slot);
    });
    return slot;
  }

  /** Marks a worker dead and fails its request; a stuck worker ends when libsmbclient gives up. */
  #retire(slot: Slot, reason: SmbError): void {
    if (slot.state === 'dead') return;
    slot.state = 'dead';
    if (slot.current) {
      clearTimeout(slot.current.timer);
      slot.current.pending.reject(reason);
      slot.current = undefined;
    }
    for (let index = this.#queue.length - 1; index >= 0; index -= 1) {
      const pending = this.#queue[index];
      // A dead worker's descriptors died with its connection: nothing is left to release.
      if (pending?.slot === slot) {
        this.#queue.splice(index, 1);
        pending.detach?.();
        pending.resolve(undefined);
      }
    }
    void slot.worker.terminate().catch(() => undefined);
  }

  /** With every worker dead and none starting, queued requests would wait forever. */
  #failQueuedWithoutWorkers(reason: SmbError): void {
    if (this.#slots.some((slot) => slot.state !== 'dead')) return;
    for (const pending of this.#queue.splice(0)) {
      pending.detach?.();
      pending.reject(reason);
    }
  }

  #replace(slot: Slot): void {
    if (this.#closed) return;
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots[index] = this.#start(false);
  }

  #settle(slot: Slot, response: Response): void {
    const current = slot.current;
    if (current?.id !== response.id) return;
    clearTimeout(current.timer);
    slot.current = undefined;
    slot.state = 'idle';
    if (response.ok) {
      if (response.opened !== undefined) slot.opened.add(response.opened);
      if (current.pending.op === 'release')
        slot.opened.delete((current.pending.args as Args<'release'>).handleId);
      current.pending.resolve(response.value);
    } else {
      const { code, message } = response.error;
      current.pending.reject(
        new SmbError(kindOf(code), message, { operation: current.pending.op, code }),
      );
    }
    this.#pump();
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.state !== 'idle') continue;
      const index = this.#queue.findIndex(
        (pending) => pending.slot === undefined || pending.slot === slot,
      );
      if (index < 0) continue;
      const [pending] = this.#queue.splice(index, 1);
      if (!pending) continue;
      pending.detach?.();
      this.#dispatch(slot, pending);
    }
  }

  #dispatch(slot: Slot, pending: Pending): void {
    const id = this.#nextId++;
    const timeoutMs = this.#options.operationTimeoutMs;
    const timer = setTimeout(() => {
      this.#retire(
        slot,
        failure(
          'Timeout',
          `SMB ${pending.op} took longer than ${String(timeoutMs)} ms`,
          pending.op,
          'ETIMEDOUT',
        ),
      );
      this.#replace(slot);
    }, timeoutMs);
    slot.state = 'busy';
    slot.current = { id, pending, timer };
    const request = { id, op: pending.op, ...pending.args } as Request;
    slot.worker.postMessage(request, pending.transfer);
  }

  /**
   * Runs one request on the next free worker. Errors come back as SmbError with libsmbclient's
   * errno name in `code`; callers map them to a kind with the path they know. An aborted
   * `signal` drops the request if no worker has taken it yet (code ECANCELED).
   */
  run<Name extends OperationName>(
    op: Name,
    args: Args<Name>,
    transfer: ArrayBuffer[] = [],
    signal?: AbortSignal,
  ): Promise<Result<Name>> {
    return this.#enqueue(op, args, transfer, undefined, signal) as Promise<Result<Name>>;
  }

  #enqueue(
    op: OperationName,
    args: object,
    transfer: ArrayBuffer[],
    slot?: Slot,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(failure('Unavailable', 'the SMB pool is closed', op));
    const cancelled = () =>
      new SmbError('Unavailable', `SMB ${op} cancelled before it started`, {
        operation: op,
        code: 'ECANCELED',
      });
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      const pending: Pending = { op, args, transfer, slot, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const index = this.#queue.indexOf(pending);
          if (index < 0) return;
          this.#queue.splice(index, 1);
          reject(cancelled());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.detach = () => {
          signal.removeEventListener('abort', onAbort);
        };
      }
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /** A handle on a file that each worker opens on first use; release it when done. */
  handle(url: string, flags: number): HandleRef {
    return { id: this.#nextHandle++, url, flags };
  }

  /** Closes every worker's descriptor for the handle. */
  async release(handle: HandleRef): Promise<void> {
    const holders = this.#slots.filter(
      (slot) => slot.state !== 'dead' && slot.opened.has(handle.id),
    );
    await Promise.all(
      holders.map((slot) =>
        this.#enqueue('release', { handleId: handle.id }, [], slot).catch(() => undefined),
      ),
    );
  }

  /** Fails what is queued and stops every worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const reason = failure('Unavailable', 'the SMB pool is closed', 'close');
    for (const pending of this.#queue.splice(0)) {
      pending.detach?.();
      pending.reject(reason);
    }
    const stopping = this.#slots.map((slot) => {
      slot.state = 'dead';
      if (slot.current) {
        clearTimeout(slot.current.timer);
        slot.current.pending.reject(reason);
        slot.current = undefined;
      }
      return slot.worker.terminate().catch(() => undefined);
    });
    // A worker blocked in libsmbclient only ends when that call returns: do not wait for it.
    await Promise.race([
      Promise.all(stopping),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
    for (const slot of this.#slots) slot.worker.unref();
  }
}

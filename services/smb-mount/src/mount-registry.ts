// One SmbBackend per mount, connected on first use: a mount whose server is down answers
// Unavailable and is tried again a little later, while the other mounts work. Every call into a
// backend is counted, and its outcome keeps the mount's reported state current.
import type { MountConfig } from './config.js';
import { SmbBackend, type SmbConnectOptions, type TempFileTracker } from './smb/backend.js';
import { isConnectionError, SmbError } from './smb/errors.js';

export type MountState = 'idle' | 'connecting' | 'connected' | 'unavailable';

export const MOUNT_STATES: readonly MountState[] = [
  'idle',
  'connecting',
  'connected',
  'unavailable',
];

export interface MountStatus {
  state: MountState;
  /** When the mount entered this state. */
  since: Date;
}

export interface MountRegistryOptions {
  workers: number;
  operationTimeoutMs: number;
  /** How long after a failed connection requests fail at once before one tries again. */
  retryAfterMs?: number;
  connect?: (options: SmbConnectOptions, tempFiles?: TempFileTracker) => Promise<SmbBackend>;
  /** Where each mount's backend records its temporary files (uploads/temp-file-ledger.ts). */
  tempFiles?: (mount: string) => TempFileTracker;
  /** Every call into a backend, by method name. */
  onOperation?: (mount: string, operation: string) => void;
  onStateChange?: (mount: string, state: MountState, previous: MountState) => void;
  /** A failed connection, for the log (the message names the server, never the password). */
  onConnectError?: (mount: string, error: SmbError) => void;
}

interface Entry {
  config: MountConfig;
  status: MountStatus;
  backend?: SmbBackend;
  connecting?: Promise<SmbBackend>;
  failedAt?: number;
}

/** Outcomes that say the server, not the request, is the problem. */
function serverTrouble(error: unknown): boolean {
  return error instanceof SmbError && (error.kind === 'Unavailable' || error.kind === 'Timeout');
}

export class MountRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #options: MountRegistryOptions;
  #closed = false;

  constructor(mounts: readonly MountConfig[], options: MountRegistryOptions) {
    this.#options = options;
    for (const config of mounts)
      this.#entries.set(config.name, { config, status: { state: 'idle', since: new Date() } });
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  config(name: string): MountConfig | undefined {
    return this.#entries.get(name)?.config;
  }

  status(name: string): MountStatus | undefined {
    return this.#entries.get(name)?.status;
  }

  #setState(entry: Entry, state: MountState): void {
    const previous = entry.status.state;
    if (previous === state) return;
    entry.status = { state, since: new Date() };
    this.#options.onStateChange?.(entry.config.name, state, previous);
  }

  /** The mount's backend, connecting it first if needed. */
  async backend(name: string): Promise<SmbBackend> {
    const entry = this.#entries.get(name);
    if (entry === undefined)
      throw new SmbError('NotFound', `no mount named ${name}`, { operation: 'connect' });
    if (entry.backend !== undefined) return entry.backend;
    if (this.#closed)
      throw new SmbError('Unavailable', 'the service is shutting down', { operation: 'connect' });
    if (entry.connecting !== undefined) return entry.connecting;
    const retryAfter = this.#options.retryAfterMs ?? 5000;
    if (entry.failedAt !== undefined && Date.now() - entry.failedAt < retryAfter)
      throw new SmbError('Unavailable', `mount ${name} is unavailable`, { operation: 'connect' });
    entry.connecting = this.#connect(entry).finally(() => {
      entry.connecting = undefined;
    });
    return entry.connecting;
  }

  async #connect(entry: Entry): Promise<SmbBackend> {
    const { config } = entry;
    this.#setState(entry, 'connecting');
    const tempFiles = this.#options.tempFiles?.(config.name);
    const open = (options: SmbConnectOptions) =>
      this.#options.connect
        ? this.#options.connect(options, tempFiles)
        : SmbBackend.connect(options, tempFiles);
    // A connection reset while the workers log in (a busy server) is worth one more try before
    // the mount is reported unavailable for retryAfterMs.
    const connect = async (options: SmbConnectOptions) => {
      try {
        return await open(options);
      } catch (error) {
        if (!(
          error instanceof SmbError &&
          isConnectionError(error.code) &&
          error.code !== 'ECONNREFUSED'
        ))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
        return open(options);
      }
    };
    try {
      const backend = await connect({
        host: config.host,
        port: config.port,
        share: config.share,
        path: config.path,
        ...(config.domain === undefined ? {} : { domain: config.domain }),
        username: config.username,
        password: config.password,
        security: config.security,
        workers: this.#options.workers,
        operationTimeoutMs: this.#options.operationTimeoutMs,
      });
      if (this.#closed) {
        await backend.close();
        throw new SmbError('Unavailable', 'the service is shutting down', { operation: 'connect' });
      }
      entry.failedAt = undefined;
      entry.backend = this.#instrument(entry, backend);
      this.#setState(entry, 'connected');
      return entry.backend;
    } catch (error) {
      entry.failedAt = Date.now();
      this.#setState(entry, 'unavailable');
      const failure =
        error instanceof SmbError
          ? error
          : new SmbError('Unavailable', 'connection failed', { operation: 'connect' });
      this.#options.onConnectError?.(config.name, failure);
      throw new SmbError('Unavailable', `mount ${config.name} is unavailable`, {
        operation: 'connect',
        code: failure.code,
        cause: failure,
      });
    }
  }

  /** Counts every call and follows its outcome, without changing what the call does. */
  #instrument(entry: Entry, backend: SmbBackend): SmbBackend {
    const name = entry.config.name;
    const observe = (result: unknown): unknown => {
      if (!(result instanceof Promise)) return result;
      result.then(
        () => {
          this.#setState(entry, 'connected');
        },
        (error: unknown) => {
          if (serverTrouble(error)) this.#setState(entry, 'unavailable');
        },
      );
      return result;
    };
    return new Proxy(backend, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        // Methods run on the backend itself: its private fields are not reachable via the proxy.
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          this.#options.onOperation?.(name, property);
          return observe(Reflect.apply(value, target, args));
        };
      },
    });
  }

  /** Starts connecting every mount in the background, so their state shows before first use. */
  warmUp(): void {
    for (const name of this.#entries.keys()) this.backend(name).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const entry of this.#entries.values()) {
      const pending = entry.connecting;
      if (pending !== undefined)
        closing.push(
          pending.then(
            () => undefined,
            () => undefined,
          ),
        );
      if (entry.backend !== undefined) closing.push(entry.backend.close());
      entry.backend = undefined;
    }
    await Promise.allSettled(closing);
  }
}

// A byte range as a Readable, read with several positional reads in flight and emitted in order.
// One request at a time would leave a download waiting on every round trip.
import { Readable } from 'node:stream';
import { SmbError, toSmbError } from './errors.js';

export interface RangeReadOptions {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
  chunkSize: number;
  inFlight: number;
  /**
   * Reads exactly `length` bytes at `offset`, fewer only at the end of the file. The signal
   * aborts when the stream is destroyed: reads not started yet need not start.
   */
  readChunk(offset: number, length: number, signal: AbortSignal): Promise<Uint8Array>;
  /** Called once when the stream ends or is destroyed. */
  release(): Promise<void>;
  /** For errors: the mount-relative path. */
  path: string;
}

export class RangeReadStream extends Readable {
  readonly #options: RangeReadOptions;
  readonly #chunks: number;
  readonly #ready = new Map<number, Buffer>();
  #issued = 0;
  #pushed = 0;
  #inFlight = 0;
  #wanted = false;
  /** Reads not settled yet: the handle is released only after them, or a worker would reopen it. */
  readonly #reads = new Set<Promise<unknown>>();
  readonly #stop = new AbortController();

  constructor(options: RangeReadOptions) {
    super({ highWaterMark: options.chunkSize });
    if (options.chunkSize < 1 || options.inFlight < 1)
      throw new RangeError('chunkSize and inFlight must be positive');
    this.#options = options;
    this.#chunks = Math.ceil(Math.max(0, options.end - options.start) / options.chunkSize);
  }

  override _read(): void {
    this.#wanted = true;
    this.#pump();
  }

  #pump(): void {
    if (this.destroyed) return;
    for (let chunk = this.#ready.get(this.#pushed); chunk; chunk = this.#ready.get(this.#pushed)) {
      this.#ready.delete(this.#pushed);
      this.#pushed += 1;
      if (!this.push(chunk)) this.#wanted = false;
    }
    if (this.#pushed === this.#chunks) {
      this.push(null);
      return;
    }
    // Completed chunks waiting for an earlier one count as in flight: memory stays bounded.
    while (
      this.#wanted &&
      this.#issued < this.#chunks &&
      this.#inFlight + this.#ready.size < this.#options.inFlight
    ) {
      this.#issue(this.#issued);
      this.#issued += 1;
    }
  }

  #issue(index: number): void {
    const { start, end, chunkSize, path } = this.#options;
    const offset = start + index * chunkSize;
    const length = Math.min(chunkSize, end - offset);
    this.#inFlight += 1;
    const read = this.#options.readChunk(offset, length, this.#stop.signal);
    this.#reads.add(read);
    read.then(
      (data) => {
        this.#inFlight -= 1;
        this.#reads.delete(read);
        if (this.destroyed) return;
        if (data.byteLength !== length) {
          this.destroy(
            new SmbError('Conflict', `read /${path}: the file got shorter while it was read`, {
              operation: 'read',
              path,
            }),
          );
          return;
        }
        this.#ready.set(index, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        this.#pump();
      },
      (error: unknown) => {
        this.#inFlight -= 1;
        this.#reads.delete(read);
        this.destroy(toSmbError(error, 'read', path));
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#ready.clear();
    this.#stop.abort();
    Promise.allSettled(this.#reads)
      .then(() => this.#options.release())
      .then(
        () => {
          callback(error);
        },
        () => {
          callback(error);
        },
      );
  }
}

// An upload's bytes, as they arrive, turned into positional writes of one chunk each with several
// in flight, keeping count of the prefix known to be written: the offset a resumable upload may
// confirm, even when a write or the source fails halfway.

export class UploadWriteError extends Error {
  override name = 'UploadWriteError';
  /** Bytes from the start offset known to be on the share, with no hole before them. */
  readonly written: number;

  constructor(written: number, cause: unknown) {
    super(
      `upload write failed after ${String(written)} bytes: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.written = written;
  }
}

export interface WriterOptions {
  chunkSize: number;
  inFlight: number;
  /**
   * Writes `piece` (which it may take ownership of) at `offset`. After one write failed, the
   * signal aborts: writes not started yet need not start.
   */
  writePiece(offset: number, piece: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void>;
}

/**
 * Writes everything `source` yields from `offset` on; resolves to the byte count. Every chunk is
 * copied into a buffer of its own, so the source's buffers stay the source's. On a failure the
 * bytes already received are still written, and an UploadWriteError tells how many are safe.
 */
export async function writeAll(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  offset: number,
  options: WriterOptions,
): Promise<number> {
  const { chunkSize, inFlight } = options;
  const pending = new Set<Promise<void>>();
  /** End of each written piece, by its start, until the confirmed prefix reaches it. */
  const written = new Map<number, number>();
  let confirmed = offset;
  let position = offset;
  let writeFailure: { error: unknown } | undefined;
  let sourceFailure: { error: unknown } | undefined;
  const stop = new AbortController();
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;

  const take = (size: number): Uint8Array<ArrayBuffer> => {
    const piece = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const head = buffered[0];
      if (head === undefined) break;
      const used = Math.min(head.byteLength, size - filled);
      piece.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.byteLength) buffered.shift();
      else buffered[0] = head.subarray(used);
    }
    bufferedBytes -= size;
    return piece;
  };

  const launch = (piece: Uint8Array<ArrayBuffer>): void => {
    const at = position;
    // Read now: writePiece may transfer the piece's buffer to a worker, which empties it here.
    const end = at + piece.byteLength;
    position = end;
    const write: Promise<void> = options.writePiece(at, piece, stop.signal).then(
      () => {
        written.set(at, end);
        for (let next = written.get(confirmed); next !== undefined; next = written.get(confirmed)) {
          written.delete(confirmed);
          confirmed = next;
        }
      },
      (error: unknown) => {
        writeFailure ??= { error };
        stop.abort();
      },
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };

  // Set by write callbacks between awaits, which control-flow narrowing does not see.
  const writeFailed = () => writeFailure !== undefined;
  try {
    for await (const chunk of source) {
      if (writeFailed()) break;
      buffered.push(chunk);
      bufferedBytes += chunk.byteLength;
      while (bufferedBytes >= chunkSize && !writeFailed()) {
        launch(take(chunkSize));
        while (pending.size >= inFlight) await Promise.race(pending);
      }
    }
  } catch (error) {
    sourceFailure = { error };
  }
  // What arrived before the source failed is good data: it is written too.
  if (bufferedBytes > 0 && !writeFailed()) launch(take(bufferedBytes));
  buffered = [];
  await Promise.all(pending);
  const failure = writeFailure ?? sourceFailure;
  if (failure) throw new UploadWriteError(confirmed - offset, failure.error);
  return confirmed - offset;
}

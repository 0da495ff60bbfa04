// An upload body cut into segments of a fixed size, each an iterable of its own: the store
// writes one segment (with parallel writes inside it) and records the new offset before the
// next, so that a process killed mid-request loses at most one segment of progress.

/**
 * Yields consecutive segments of `size` bytes (the last may be shorter; none is empty). Each
 * segment must be read to its end, or abandoned for good, before the next is asked for.
 */
export async function* segments(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<AsyncIterable<Uint8Array>> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('size must be positive');
  const iterator = source[Symbol.asyncIterator]();
  let carry: Uint8Array | undefined;
  // Set inside the nested generators, which control-flow narrowing does not follow.
  const state = { ended: false, abandoned: false };

  const pull = async (): Promise<Uint8Array | undefined> => {
    if (carry !== undefined) {
      const chunk = carry;
      carry = undefined;
      return chunk;
    }
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        state.ended = true;
        return undefined;
      }
      if (next.value.byteLength > 0) return next.value;
    }
  };

  async function* segment(first: Uint8Array): AsyncGenerator<Uint8Array> {
    let remaining = size;
    let chunk: Uint8Array | undefined = first;
    let completed = false;
    try {
      while (chunk !== undefined) {
        if (chunk.byteLength > remaining) {
          carry = chunk.subarray(remaining);
          chunk = chunk.subarray(0, remaining);
        }
        remaining -= chunk.byteLength;
        yield chunk;
        if (remaining === 0) break;
        chunk = await pull();
      }
      completed = true;
    } finally {
      if (!completed) state.abandoned = true;
    }
  }

  try {
    while (!state.ended && !state.abandoned) {
      const first = await pull();
      if (first === undefined) return;
      yield segment(first);
    }
  } finally {
    if (!state.ended) await iterator.return?.();
  }
}

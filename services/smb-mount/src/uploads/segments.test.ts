import { describe, expect, it } from 'vitest';
import { segments } from './segments.js';

async function* chunks(sizes: number[]): AsyncGenerator<Uint8Array> {
  let value = 0;
  for (const size of sizes) {
    // As a request body: each chunk on a later turn.
    await Promise.resolve();
    const chunk = new Uint8Array(size);
    for (let index = 0; index < size; index += 1) chunk[index] = value++ % 256;
    yield chunk;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<number[]> {
  const bytes: number[] = [];
  for await (const chunk of source) bytes.push(...chunk);
  return bytes;
}

describe('segments', () => {
  it('cuts a body into segments of the size, splitting chunks, none empty', async () => {
    const lengths: number[] = [];
    const all: number[] = [];
    for await (const segment of segments(chunks([3, 0, 7, 1, 9]), 5)) {
      const bytes = await collect(segment);
      lengths.push(bytes.length);
      all.push(...bytes);
    }
    expect(lengths).toEqual([5, 5, 5, 5]);
    expect(all).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('ends after an exact multiple without an empty segment, and yields none for no body', async () => {
    let count = 0;
    for await (const segment of segments(chunks([4, 4]), 4)) {
      await collect(segment);
      count += 1;
    }
    expect(count).toBe(2);
    for await (const segment of segments(chunks([]), 4)) await collect(segment);
  });

  it('stops, closing the source, when a segment is abandoned', async () => {
    let closed = false;
    async function* source() {
      try {
        for (;;) {
          await Promise.resolve();
          yield new Uint8Array(4);
        }
      } finally {
        closed = true;
      }
    }
    let seen = 0;
    for await (const segment of segments(source(), 8)) {
      for await (const _chunk of segment) break;
      seen += 1;
    }
    expect(seen).toBe(1);
    expect(closed).toBe(true);
  });

  it('passes a failure of the source on', async () => {
    async function* failing() {
      await Promise.resolve();
      yield new Uint8Array(3);
      throw new Error('connection reset');
    }
    const consume = async () => {
      for await (const segment of segments(failing(), 10)) await collect(segment);
    };
    await expect(consume()).rejects.toThrow('connection reset');
  });
});

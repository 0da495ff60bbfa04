import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UploadWriteError, writeAll } from './upload-writer.js';

// The writer's own contract (chunking, ordering, the confirmed prefix), with pieces landing in a
// buffer; writing to Samba is in backend.int.test.ts and pool.int.test.ts.
function target(size: number, failAt?: number) {
  const bytes = Buffer.alloc(size);
  const offsets: number[] = [];
  return {
    bytes,
    offsets,
    async writePiece(offset: number, piece: Uint8Array) {
      // Later pieces often finish first.
      await sleep(Math.floor(Math.random() * 5));
      if (offset === failAt) throw new Error('disk on fire');
      offsets.push(offset);
      bytes.set(piece, offset);
    },
  };
}

async function* chunks(data: Buffer, size: number, failAfter?: number) {
  for (let at = 0; at < data.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw new Error('client went away');
    // As from a socket: each chunk a little later.
    await Promise.resolve();
    yield data.subarray(at, at + size);
  }
}

describe('writeAll', () => {
  it('writes every byte at its place from arbitrary chunks, a chunk size at a time', async () => {
    const data = randomBytes(100_000);
    const sink = target(100_010);
    const written = await writeAll(chunks(data, 777), 10, {
      chunkSize: 8192,
      inFlight: 4,
      writePiece: (offset, piece) => sink.writePiece(offset, piece),
    });
    expect(written).toBe(100_000);
    expect(sink.bytes.subarray(10).equals(data)).toBe(true);
    expect(sink.offsets.every((offset) => (offset - 10) % 8192 === 0)).toBe(true);
  });

  it('leaves the caller its buffers: every piece is a copy, free to be transferred', async () => {
    const data = Buffer.alloc(20_000, 7);
    const written = await writeAll([data], 0, {
      chunkSize: 4096,
      inFlight: 2,
      writePiece: async (_offset, piece) => {
        expect(piece.buffer).not.toBe(data.buffer);
        expect(piece.byteOffset).toBe(0);
        // What a transfer to a worker does to it.
        structuredClone(piece.buffer, { transfer: [piece.buffer] });
        await Promise.resolve();
      },
    });
    expect(written).toBe(20_000);
    expect(data.every((byte) => byte === 7)).toBe(true);
  });

  it('confirms only the prefix before a failed write', async () => {
    const data = randomBytes(64 * 1024);
    const sink = target(data.length, 5 * 4096);
    const error = await writeAll(chunks(data, 1000), 0, {
      chunkSize: 4096,
      inFlight: 4,
      writePiece: (offset, piece) => sink.writePiece(offset, piece),
    }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(UploadWriteError);
    expect(error).toMatchObject({ written: 5 * 4096 });
    expect((error as UploadWriteError).cause).toMatchObject({ message: 'disk on fire' });
    expect(sink.bytes.subarray(0, 5 * 4096).equals(data.subarray(0, 5 * 4096))).toBe(true);
  });

  it('writes what arrived before the source failed, and says so', async () => {
    const data = randomBytes(50_000);
    const sink = target(data.length);
    const error = await writeAll(chunks(data, 3000, 30_000), 0, {
      chunkSize: 4096,
      inFlight: 3,
      writePiece: (offset, piece) => sink.writePiece(offset, piece),
    }).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ written: 30_000 });
    expect((error as UploadWriteError).cause).toMatchObject({ message: 'client went away' });
    expect(sink.bytes.subarray(0, 30_000).equals(data.subarray(0, 30_000))).toBe(true);
  });

  it('keeps at most inFlight writes running', async () => {
    let running = 0;
    let most = 0;
    await writeAll(chunks(randomBytes(40_000), 1024), 0, {
      chunkSize: 1024,
      inFlight: 3,
      writePiece: async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(2);
        running -= 1;
      },
    });
    expect(most).toBe(3);
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL, systemBinary } from '../../../../operator/src/testbed/binaries.js';
import {
  connectOptions,
  putOnShare,
  report,
  sessions,
  startSamba,
  timed,
  useServer,
  type Samba,
} from '../test-support/samba-share.js';
import { SmbBackend, UploadWriteError } from './backend.js';
import { SmbError } from './errors.js';

const MiB = 1 << 20;
const run = promisify(execFile);

async function failure(work: () => Promise<unknown>): Promise<SmbError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof SmbError) return error;
    throw error;
  }
  throw new Error('expected an SmbError');
}

/** Files smbd has open right now, as `smbstatus -L` reports them. */
async function openFiles(samba: Samba): Promise<string[]> {
  const { stdout } = await run(systemBinary('smbstatus', INSTALL.samba), [
    '-s',
    join(samba.directory, 'smb.conf'),
    '-L',
    '--json',
  ]);
  const status = JSON.parse(stdout) as { open_files?: Record<string, { filename: string }> };
  return Object.values(status.open_files ?? {}).map((file) => file.filename);
}

/** Every smbd process of the server: the listener and one per connection. */
function signalServer(samba: Samba, signal: NodeJS.Signals): void {
  const pid = samba.pids[0];
  if (pid === undefined) throw new Error('smbd is not running');
  process.kill(-pid, signal);
}

describe('the worker pool, against Samba (hardened profile)', () => {
  const samba = useServer(() => startSamba('hardened'));
  let smb: SmbBackend;
  beforeAll(async () => {
    smb = await SmbBackend.connect(connectOptions(samba(), { workers: 4 }));
  });
  afterAll(async () => {
    await smb.close();
  });

  it('runs requests on all workers at once, one signed and encrypted connection each', async () => {
    const data = randomBytes(8 * MiB);
    await putOnShare(samba(), 'mixed/data.bin', data);
    for (let index = 0; index < 50; index += 1)
      await putOnShare(samba(), `mixed/f${String(index)}.txt`, String(index));
    const { ms } = await timed(() =>
      Promise.all([
        ...Array.from({ length: 50 }, async (_, index) => {
          const stat = await smb.stat(`mixed/f${String(index)}.txt`);
          expect(stat.size).toBe(String(index).length);
        }),
        ...Array.from({ length: 8 }, async (_, index) => {
          const start = index * MiB + index;
          const chunks: Buffer[] = [];
          for await (const chunk of await smb.read('mixed/data.bin', start, start + MiB - 1))
            chunks.push(chunk as Buffer);
          expect(Buffer.concat(chunks).equals(data.subarray(start, start + MiB))).toBe(true);
        }),
        ...Array.from({ length: 4 }, async () => {
          expect(await smb.list('mixed')).toHaveLength(51);
        }),
      ]),
    );
    report(`pool: 50 stats, 8 range reads of 1 MiB and 4 listings at once in ${ms.toFixed(0)} ms`);
    expect(await sessions(samba())).toEqual(
      Array.from({ length: 4 }, () => ({
        dialect: 'SMB3_11',
        encryption: 'full',
        signing: 'full',
      })),
    );
  });

  it('closes every descriptor of a read that is given up halfway', async () => {
    await putOnShare(samba(), 'released/big.bin', randomBytes(32 * MiB));
    const stream = await smb.read('released/big.bin');
    await new Promise((resolve) => stream.once('readable', resolve));
    expect((await openFiles(samba())).length).toBeGreaterThan(0);
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    expect(await openFiles(samba())).toEqual([]);
  });

  it('reconnects after Samba restarts on the same port', async () => {
    await putOnShare(samba(), 'restart/a.txt', 'a');
    expect((await smb.stat('restart/a.txt')).size).toBe(1);
    await samba().restart();
    // Every worker's connection died with the old smbd: each notices on its next request,
    // connects again and, the request being safe to repeat, runs it again.
    const { ms } = await timed(() => smb.stat('restart/a.txt'));
    expect(
      await Promise.all(Array.from({ length: 8 }, async () => (await smb.list('restart')).length)),
    ).toEqual(Array.from({ length: 8 }, () => 1));
    // A request that must not run twice, first after a restart while idle: the idle check finds
    // the dead connection before the request is sent.
    await samba().restart();
    await sleep(1100);
    expect((await smb.mkdirp('restart/after')).type).toBe('directory');
    expect(await sessions(samba())).toContainEqual({
      dialect: 'SMB3_11',
      encryption: 'full',
      signing: 'full',
    });
    report(`pool: first request after a Samba restart took ${ms.toFixed(0)} ms`);
  });

  it('fails a request that hangs past its timeout and replaces the stuck worker', async () => {
    const impatient = await SmbBackend.connect(
      connectOptions(samba(), { workers: 2, operationTimeoutMs: 1500 }),
    );
    try {
      await putOnShare(samba(), 'hang/a.txt', 'a');
      expect((await impatient.stat('hang/a.txt')).size).toBe(1);
      signalServer(samba(), 'SIGSTOP');
      let timedOut: { value: SmbError; ms: number };
      try {
        timedOut = await timed(() => failure(() => impatient.stat('hang/a.txt')));
      } finally {
        signalServer(samba(), 'SIGCONT');
      }
      expect(timedOut.value).toMatchObject({ kind: 'Timeout', code: 'ETIMEDOUT' });
      expect(timedOut.ms).toBeGreaterThanOrEqual(1400);
      expect(timedOut.ms).toBeLessThan(5000);
      // The replacement worker connects afresh; the other one never noticed.
      const after = await Promise.all(
        Array.from({ length: 4 }, async () => (await impatient.stat('hang/a.txt')).size),
      );
      expect(after).toEqual([1, 1, 1, 1]);
      report(`pool: a hung request failed after ${timedOut.ms.toFixed(0)} ms`);
    } finally {
      await impatient.close();
    }
  });

  it('tells how much of an upload is safely written when the server hangs midway', async () => {
    const impatient = await SmbBackend.connect(
      connectOptions(samba(), { workers: 2, operationTimeoutMs: 1500 }),
    );
    try {
      const data = randomBytes(16 * MiB);
      const upload = await impatient.createUpload('', 'hung-upload.bin');
      let sent = 0;
      const body = async function* () {
        for (; sent < data.length; sent += MiB) {
          // Half the file arrives, then the server stops answering.
          if (sent === 8 * MiB) signalServer(samba(), 'SIGSTOP');
          await sleep(1);
          yield data.subarray(sent, sent + MiB);
        }
      };
      let error: unknown;
      try {
        await impatient.writeFrom(upload, 0, body());
      } catch (failure) {
        error = failure;
      } finally {
        signalServer(samba(), 'SIGCONT');
      }
      expect(error).toBeInstanceOf(UploadWriteError);
      const written = (error as UploadWriteError).written;
      expect((error as UploadWriteError).cause).toMatchObject({ kind: 'Timeout' });
      expect(written).toBeGreaterThanOrEqual(MiB);
      expect(written).toBeLessThanOrEqual(8 * MiB);
      // The confirmed prefix is on the share as sent; the upload resumes from there.
      const resumed = await smb.resumeUpload('', 'hung-upload.bin', upload.id, written);
      await smb.writeAt(resumed, written, data.subarray(written));
      const done = await smb.commit(resumed);
      expect(done.size).toBe(data.length);
      const back: Buffer[] = [];
      for await (const chunk of await smb.read('hung-upload.bin')) back.push(chunk as Buffer);
      expect(Buffer.concat(back).equals(data)).toBe(true);
      report(`pool: an upload cut by a hung server had ${String(written / MiB)} MiB confirmed`);
    } finally {
      await impatient.close();
    }
  });

  it('fails to connect with a wrong password or a missing mount root, saying so', async () => {
    const refused = await failure(() =>
      SmbBackend.connect(connectOptions(samba(), { password: 'not-the-password', workers: 1 })),
    );
    expect(refused).toMatchObject({ kind: 'Forbidden', code: 'EACCES', operation: 'connect' });
    expect(refused.message).not.toContain(samba().password);
    const missing = await failure(() =>
      SmbBackend.connect(connectOptions(samba(), { path: '/no/such/dir', workers: 1 })),
    );
    expect(missing).toMatchObject({ kind: 'NotFound', code: 'ENOENT', operation: 'connect' });
  });
});

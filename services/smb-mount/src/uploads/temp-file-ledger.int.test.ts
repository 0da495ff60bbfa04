// Abandoned temporary files, on real Samba and Redis: an upload nobody finishes is removed once
// its time has passed, one still in use or already committed is not, a record naming anything but
// a temporary file is refused, and two replicas sweeping at once remove each file once.
import { readdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmbBackend } from '../smb/backend.js';
import { connectOptions, putOnShare, startSamba, useServer } from '../test-support/samba-share.js';
import { startRedis } from '../test-support/wopi-stand-ins.js';
import { ABANDONED_AFTER_MS, TempFileLedger } from './temp-file-ledger.js';

const HOUR = 3_600_000;

describe('the ledger of temporary files', () => {
  const samba = useServer(() => startSamba('hardened'));
  const redisServer = useServer(() => startRedis());
  let redis: Redis;
  let clock = Date.now();
  let ledger: TempFileLedger;
  let smb: SmbBackend;
  const onShare = () => readdir(samba().shareDirectory);
  const backendOf = (mount: string) => (mount === 'team' ? Promise.resolve(smb) : undefined);

  beforeAll(async () => {
    redis = new Redis(redisServer().url, { maxRetriesPerRequest: 1 });
    ledger = new TempFileLedger(redis, { key: 'test:temp-files', now: () => clock });
    smb = await SmbBackend.connect(connectOptions(samba(), { workers: 2 }), ledger.tracker('team'));
  });
  afterAll(async () => {
    await smb.close();
    await redis.quit();
  });

  it('removes an abandoned upload after its time, and only then', async () => {
    const upload = await smb.createUpload('', 'report.pdf');
    await smb.writeAt(upload, 0, new Uint8Array(1000).fill(1));
    await smb.detachUpload(upload);
    expect(await onShare()).toEqual([upload.tempPath.name]);

    clock += ABANDONED_AFTER_MS - HOUR;
    expect(await ledger.sweep(backendOf)).toEqual({
      removed: 0,
      gone: 0,
      postponed: 0,
      refused: 0,
    });
    expect(await onShare()).toEqual([upload.tempPath.name]);

    clock += 2 * HOUR;
    expect(await ledger.sweep(backendOf)).toEqual({
      removed: 1,
      gone: 0,
      postponed: 0,
      refused: 0,
    });
    expect(await onShare()).toEqual([]);
    expect(await redis.zcard('test:temp-files')).toBe(0);
  });

  it('keeps an upload that was taken up again, and forgets one that was committed', async () => {
    const resumed = await smb.createUpload('', 'slow.iso');
    await smb.writeAt(resumed, 0, new Uint8Array(10).fill(2));
    await smb.detachUpload(resumed);
    const committed = await smb.createUpload('', 'done.txt');
    await smb.writeAt(committed, 0, new TextEncoder().encode('done'));
    await smb.commit(committed);

    clock += ABANDONED_AFTER_MS - HOUR;
    const again = await smb.resumeUpload('', 'slow.iso', resumed.id, 10);
    await smb.detachUpload(again);
    clock += 2 * HOUR;
    expect(await ledger.sweep(backendOf)).toMatchObject({ removed: 0 });
    expect((await onShare()).sort()).toEqual([resumed.tempPath.name, 'done.txt'].sort());
    expect(await redis.zcard('test:temp-files')).toBe(1);

    await smb.abort(again);
    expect(await redis.zcard('test:temp-files')).toBe(0);
    expect(await onShare()).toEqual(['done.txt']);
  });

  it('never removes anything but a temporary file, nor touches a mount no longer configured', async () => {
    await putOnShare(samba(), 'keep.txt', 'a user file');
    await redis.zadd('test:temp-files', clock, JSON.stringify(['team', 'keep.txt']));
    await redis.zadd('test:temp-files', clock, JSON.stringify(['team', '../escape']));
    await redis.zadd(
      'test:temp-files',
      clock,
      JSON.stringify(['gone', '.x.~upload-0123456789abcdef']),
    );
    expect(await ledger.sweep(backendOf)).toEqual({
      removed: 0,
      gone: 0,
      postponed: 0,
      refused: 2,
    });
    expect((await onShare()).sort()).toEqual(['done.txt', 'keep.txt']);
    expect(await redis.zcard('test:temp-files')).toBe(0);
  });

  it('removes each file once when two replicas sweep at the same time', async () => {
    const names: string[] = [];
    for (let index = 0; index < 20; index += 1) {
      const upload = await smb.createUpload('', `part-${String(index)}.bin`);
      await smb.detachUpload(upload);
      names.push(upload.tempPath.name);
    }
    clock += ABANDONED_AFTER_MS + HOUR;
    const other = new TempFileLedger(redis, { key: 'test:temp-files', now: () => clock });
    const [first, second] = await Promise.all([ledger.sweep(backendOf), other.sweep(backendOf)]);
    expect(first.removed + second.removed).toBe(20);
    expect(first.gone + second.gone).toBe(0);
    expect((await onShare()).sort()).toEqual(['done.txt', 'keep.txt']);
  });
});

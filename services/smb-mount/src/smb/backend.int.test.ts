import { createHash, randomBytes } from 'node:crypto';
import {
  chown,
  mkdir,
  readdir,
  readFile,
  rm,
  stat as fsStat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectOptions,
  mibPerSecond,
  putOnShare,
  report,
  shareOwner,
  smbclient,
  startSamba,
  timed,
  useServer,
} from '../test-support/samba-share.js';
import { SmbBackend, version, type SmbStat } from './backend.js';
import { SmbError } from './errors.js';
import { MountPath, PathError } from './paths.js';

const MiB = 1 << 20;

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function failure(work: () => Promise<unknown>): Promise<SmbError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof SmbError) return error;
    throw error;
  }
  throw new Error('expected an SmbError');
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.each(['default', 'hardened'] as const)('SmbBackend, Samba %s profile', (profile) => {
  const samba = useServer(() => startSamba(profile));
  let smb: SmbBackend;
  // The mount root is /mount inside the share: /outside.txt must stay out of reach.
  beforeAll(async () => {
    await putOnShare(samba(), 'outside.txt', 'not for the mount');
    await putOnShare(samba(), 'mount/.keep', '');
    smb = await SmbBackend.connect(connectOptions(samba(), { path: '/mount' }));
  });
  afterAll(async () => {
    await smb.close();
  });
  const onShare = (path: string) => join(samba().shareDirectory, 'mount', path);

  it('stats and lists, with versions that follow the content', async () => {
    await putOnShare(samba(), 'mount/docs/a.txt', 'hello');
    const root = await smb.stat('');
    expect(root).toMatchObject({ path: '', type: 'directory' });
    const file = await smb.stat('docs/a.txt');
    expect(file).toMatchObject({ path: 'docs/a.txt', name: 'a.txt', type: 'file', size: 5 });
    expect(file.version).toBe(version(file));
    const local = await fsStat(onShare('docs/a.txt'), { bigint: true });
    // SMB keeps 100 ns steps of the file system's nanoseconds.
    expect(file.mtimeNs).toBe((local.mtimeNs / 100n) * 100n);
    expect(file.mtime.getTime()).toBe(Number(local.mtimeNs / 1_000_000n));
    const listed = await smb.list('docs');
    expect(listed).toEqual([file]);
    expect((await smb.list('')).map((entry) => entry.name).sort()).toEqual(['.keep', 'docs']);
  });

  it('shows a change made on the share directly at the next stat and list', async () => {
    await putOnShare(samba(), 'mount/live/b.txt', 'one');
    const before = await smb.stat('live/b.txt');
    // Same size, other content, other time: only the time tells.
    await writeFile(onShare('live/b.txt'), 'two');
    await utimes(onShare('live/b.txt'), new Date(), new Date(Date.now() + 5000));
    const after = await smb.stat('live/b.txt');
    expect(after.size).toBe(3);
    expect(after.version).not.toBe(before.version);
    expect((await smb.list('live'))[0]?.version).toBe(after.version);
    await writeFile(onShare('live/b.txt'), 'three!');
    const grown = (await smb.list('live'))[0];
    expect(grown?.size).toBe(6);
    expect(grown?.version).not.toBe(after.version);
    expect(grown?.version).toBe((await smb.stat('live/b.txt')).version);
  });

  it('keeps Unicode and spaces in names exactly, as the share stores them', async () => {
    const dir = 'Dossier été/sous dossier ☃';
    const name = 'Ünïcödé 100% #1; a+b @ 😀.txt';
    await smb.mkdirp(dir);
    const upload = await smb.createUpload(dir, name);
    await smb.writeAt(upload, 0, Buffer.from('ünï'));
    const committed = await smb.commit(upload);
    expect(committed).toMatchObject({ path: `${dir}/${name}`, name, size: 5 });
    expect((await smb.list(dir)).map((entry) => entry.name)).toEqual([name]);
    expect(await readdir(onShare(dir))).toEqual([name]);
    expect(await readFile(onShare(`${dir}/${name}`), 'utf8')).toBe('ünï');
    expect((await readAll(await smb.read(`${dir}/${name}`))).toString()).toBe('ünï');
    // The same path from a request URL.
    const fromUrl = MountPath.fromUrl(
      dir.split('/').map(encodeURIComponent).join('/') + '/' + encodeURIComponent(name),
    );
    expect((await smb.stat(fromUrl)).version).toBe(committed.version);
  });

  it('makes directories with their parents, and refuses a file in the way', async () => {
    const made = await smb.mkdirp('deep/er/est');
    expect(made).toMatchObject({ path: 'deep/er/est', type: 'directory' });
    expect((await smb.mkdirp('deep/er/est')).type).toBe('directory');
    await putOnShare(samba(), 'mount/deep/file', 'x');
    expect(await failure(() => smb.mkdirp('deep/file'))).toMatchObject({ kind: 'Conflict' });
    expect(await failure(() => smb.mkdirp('deep/file/sub'))).toMatchObject({ kind: 'Conflict' });
  });

  it('maps failures to kinds', async () => {
    await putOnShare(samba(), 'mount/kinds/file.txt', 'x');
    expect(await failure(() => smb.stat('kinds/missing'))).toMatchObject({
      kind: 'NotFound',
      code: 'ENOENT',
      operation: 'stat',
      path: 'kinds/missing',
    });
    expect(await failure(() => smb.list('kinds/file.txt'))).toMatchObject({ kind: 'Conflict' });
    expect(await failure(() => smb.read('kinds'))).toMatchObject({ kind: 'Conflict' });
    expect(await failure(() => smb.list('kinds/missing'))).toMatchObject({ kind: 'NotFound' });
    expect(await failure(() => smb.remove(''))).toMatchObject({ kind: 'Invalid' });
  });

  it('renames and moves files and directories, refusing to overwrite unless asked', async () => {
    await putOnShare(samba(), 'mount/mv/a.txt', 'a');
    await putOnShare(samba(), 'mount/mv/b.txt', 'b');
    await putOnShare(samba(), 'mount/mv/dir/inner.txt', 'i');
    const moved = await smb.rename('mv/a.txt', 'mv/dir/a2.txt');
    expect(moved).toMatchObject({ path: 'mv/dir/a2.txt', size: 1 });
    expect(await failure(() => smb.stat('mv/a.txt'))).toMatchObject({ kind: 'NotFound' });
    expect(await failure(() => smb.rename('mv/b.txt', 'mv/dir/a2.txt'))).toMatchObject({
      kind: 'Conflict',
    });
    expect(await readFile(onShare('mv/dir/a2.txt'), 'utf8')).toBe('a');
    const replaced = await smb.rename('mv/b.txt', 'mv/dir/a2.txt', { replace: true });
    expect(replaced.size).toBe(1);
    expect(await readFile(onShare('mv/dir/a2.txt'), 'utf8')).toBe('b');
    expect(await readdir(onShare('mv/dir'))).toEqual(
      expect.arrayContaining(['a2.txt', 'inner.txt']),
    );
    expect(await readdir(onShare('mv/dir'))).toHaveLength(2);
    await smb.rename('mv/dir', 'mv/renamed');
    expect((await smb.list('mv/renamed')).map((entry) => entry.name).sort()).toEqual([
      'a2.txt',
      'inner.txt',
    ]);
    await smb.mkdirp('mv/other');
    expect(
      await failure(() => smb.rename('mv/renamed/a2.txt', 'mv/other', { replace: true })),
    ).toMatchObject({ kind: 'Conflict' });
    expect(await failure(() => smb.rename('mv/renamed', 'mv/renamed/sub'))).toMatchObject({
      kind: 'Invalid',
    });
    expect(await failure(() => smb.rename('mv/missing', 'mv/x'))).toMatchObject({
      kind: 'NotFound',
    });
  });

  it('deletes files and empty directories, and trees only when asked', async () => {
    await putOnShare(samba(), 'mount/rm/one.txt', '1');
    await putOnShare(samba(), 'mount/rm/tree/a/b/c.txt', 'c');
    await putOnShare(samba(), 'mount/rm/tree/a/d.txt', 'd');
    await putOnShare(samba(), 'mount/rm/tree/e.txt', 'e');
    await smb.mkdirp('rm/empty');
    await smb.remove('rm/one.txt');
    await smb.remove('rm/empty');
    expect(await failure(() => smb.remove('rm/tree'))).toMatchObject({ kind: 'NotEmpty' });
    expect(await readdir(onShare('rm/tree'))).toHaveLength(2);
    await smb.remove('rm/tree', { recursive: true });
    expect(await readdir(onShare('rm'))).toEqual([]);
    expect(await failure(() => smb.remove('rm/tree'))).toMatchObject({ kind: 'NotFound' });
  });

  it('reads byte ranges exactly, at odd offsets, 64 MiB with reads in flight', async () => {
    const data = randomBytes(64 * MiB);
    await putOnShare(samba(), 'mount/big/64.bin', data);
    const whole = await timed(async () => readAll(await smb.read('big/64.bin')));
    expect(whole.value.equals(data)).toBe(true);
    const ranges: [number, number | undefined][] = [
      [1, 64 * MiB - 2],
      [12_345, 12_345 + 10 * MiB + 16],
      [MiB - 1, MiB],
      [MiB, 2 * MiB - 1],
      [64 * MiB - 3, undefined],
      [7, 7],
      [33 * MiB + 1, 100 * MiB],
    ];
    for (const [start, end] of ranges) {
      const stream = await smb.read('big/64.bin', start, end);
      const stop = Math.min(end === undefined ? data.length : end + 1, data.length);
      expect((await readAll(stream)).equals(data.subarray(start, stop))).toBe(true);
    }
    expect(await readAll(await smb.read('big/64.bin', 64 * MiB))).toHaveLength(0);
    const stream = await smb.read('big/64.bin', 5);
    expect(stream.stat).toMatchObject({ size: 64 * MiB, path: 'big/64.bin' });
    stream.destroy();
    const client = await smbclient(samba(), 'get big/64.bin /dev/null', ['-D', 'mount']);
    report(
      `${profile}: read 64 MiB in ${whole.ms.toFixed(0)} ms (${mibPerSecond(data.length, whole.ms)} MiB/s); smbclient get ${client.ms.toFixed(0)} ms including its connect (${mibPerSecond(data.length, client.ms)} MiB/s)`,
    );
  });

  it('fails a read when the file gets shorter under it', async () => {
    await putOnShare(samba(), 'mount/big/shrinks.bin', randomBytes(16 * MiB));
    const stream = await smb.read('big/shrinks.bin');
    await truncate(onShare('big/shrinks.bin'), MiB);
    const error = await failure(() => readAll(stream));
    expect(error.kind).toBe('Conflict');
  });

  it('writes 256 MiB and reads it back, sha256 for sha256', async () => {
    const data = randomBytes(256 * MiB);
    await smb.mkdirp('big');
    const upload = await smb.createUpload('big', '256.bin');
    // As a request body arrives: 64 KiB at a time, written 1 MiB a piece with 8 in flight.
    const body = async function* () {
      for (let offset = 0; offset < data.length; offset += 64 * 1024) {
        await Promise.resolve();
        yield data.subarray(offset, offset + 64 * 1024);
      }
    };
    const written = await timed(async () => {
      expect(await smb.writeFrom(upload, 0, body())).toBe(data.length);
      return smb.commit(upload);
    });
    expect(written.value.size).toBe(data.length);
    const hash = createHash('sha256');
    const read = await timed(async () => {
      await pipeline(
        await smb.read('big/256.bin'),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            hash.update(chunk);
            callback();
          },
        }),
      );
    });
    expect(hash.digest('hex')).toBe(sha256(data));
    expect(sha256(await readFile(onShare('big/256.bin')))).toBe(sha256(data));
    const local = join(samba().directory, 'put.bin');
    await writeFile(local, data);
    const put = await smbclient(samba(), `put ${local} big/put.bin`, ['-D', 'mount']);
    const get = await smbclient(samba(), 'get big/put.bin /dev/null', ['-D', 'mount']);
    report(
      `${profile}: 256 MiB upload ${written.ms.toFixed(0)} ms (${mibPerSecond(data.length, written.ms)} MiB/s), download ${read.ms.toFixed(0)} ms (${mibPerSecond(data.length, read.ms)} MiB/s); smbclient put ${put.ms.toFixed(0)} ms (${mibPerSecond(data.length, put.ms)} MiB/s), get ${get.ms.toFixed(0)} ms (${mibPerSecond(data.length, get.ms)} MiB/s), both including their connect`,
    );
  });

  it('keeps the old file intact until the upload commits, then replaces it', async () => {
    await putOnShare(samba(), 'mount/up/report.txt', 'old content');
    const old = await smb.stat('up/report.txt');
    const upload = await smb.createUpload('up', 'report.txt');
    expect(upload.tempPath.toString()).toBe(`up/.report.txt.~upload-${upload.id}`);
    await smb.writeAt(upload, 0, Buffer.from('new '));
    await smb.writeAt(upload, 4, Buffer.from('content, longer'));
    expect((await readAll(await smb.read('up/report.txt'))).toString()).toBe('old content');
    expect((await smb.stat('up/report.txt')).version).toBe(old.version);
    // The upload is on the share, hidden from listings.
    expect((await smb.list('up')).map((entry) => entry.name)).toEqual(['report.txt']);
    expect(await readdir(onShare('up'))).toHaveLength(2);
    const committed = await smb.commit(upload);
    expect(committed.version).not.toBe(old.version);
    expect(await readFile(onShare('up/report.txt'), 'utf8')).toBe('new content, longer');
    expect(await readdir(onShare('up'))).toEqual(['report.txt']);
  });

  it('aborts an upload without touching the target', async () => {
    await putOnShare(samba(), 'mount/up2/keep.txt', 'keep');
    const upload = await smb.createUpload('up2', 'keep.txt');
    await smb.writeAt(upload, 0, Buffer.from('never'));
    await smb.abort(upload);
    await smb.abort(upload);
    expect(await readdir(onShare('up2'))).toEqual(['keep.txt']);
    expect(await readFile(onShare('up2/keep.txt'), 'utf8')).toBe('keep');
  });

  it('resumes an upload from the size its caller confirmed, after its process is gone', async () => {
    const data = randomBytes(5 * MiB + 123);
    // The process that started the upload: its connections end with it, and so do its handles.
    const crashed = await SmbBackend.connect(connectOptions(samba(), { path: '/mount' }));
    const first = await crashed.createUpload('', 'resumed.bin');
    await crashed.writeAt(first, 0, data.subarray(0, 3 * MiB));
    await crashed.close();
    // Only 2 MiB were confirmed before it went: the third may have holes.
    const resumed = await smb.resumeUpload('', 'resumed.bin', first.id, 2 * MiB);
    expect((await fsStat(onShare(first.tempPath.toString()))).size).toBe(2 * MiB);
    await smb.writeAt(resumed, 2 * MiB, data.subarray(2 * MiB));
    const done = await smb.commit(resumed);
    expect(done.size).toBe(data.length);
    expect(sha256(await readFile(onShare('resumed.bin')))).toBe(sha256(data));
    expect(await failure(() => smb.resumeUpload('', 'resumed.bin', first.id, 1))).toMatchObject({
      kind: 'NotFound',
    });
  });

  it('cannot replace a file another handle holds open: libsmbclient opens without share-delete', async () => {
    await putOnShare(samba(), 'mount/busy/target.bin', randomBytes(4 * MiB));
    const before = await smb.stat('busy/target.bin');
    const reading = await smb.read('busy/target.bin');
    reading.pause();
    // The first positional reads open the file in the workers.
    await new Promise((resolve) => reading.once('readable', resolve));
    const upload = await smb.createUpload('busy', 'target.bin');
    await smb.writeAt(upload, 0, Buffer.from('new'));
    expect(await failure(() => smb.commit(upload))).toMatchObject({
      kind: 'Conflict',
      code: 'EBUSY',
    });
    expect((await smb.stat('busy/target.bin')).version).toBe(before.version);
    reading.destroy();
    await new Promise((resolve) => reading.once('close', resolve));
    expect((await smb.commit(upload)).size).toBe(3);
  });

  it('refuses the traversal corpus before any SMB request', async () => {
    const corpus = [
      '..',
      '../outside.txt',
      'a/../../outside.txt',
      '%2e%2e/outside.txt',
      '%252e%252e/outside.txt',
      '..%2foutside.txt',
      '..%5coutside.txt',
      '..\\outside.txt',
      '/outside.txt',
      '//127.0.0.1/share/outside.txt',
      'x%00.txt',
      '%EF%BC%8E%EF%BC%8E/outside.txt',
      '%E2%80%A5/outside.txt',
      '..%E2%88%95outside.txt',
      '..%EF%BC%8Foutside.txt',
      '..%EF%BC%BCoutside.txt',
      'outside.txt%3A%3A%24DATA',
    ];
    for (const raw of corpus) {
      let refused: unknown;
      try {
        const path = MountPath.fromUrl(raw);
        await smb.read(path);
      } catch (error) {
        refused = error;
      }
      expect(refused, raw).toBeInstanceOf(PathError);
    }
    for (const decoded of ['../outside.txt', '..', 'a/../..', '\uff0e\uff0e', 'x\\..\\..']) {
      for (const attempt of [
        () => smb.stat(decoded),
        () => smb.list(decoded),
        () => smb.remove(decoded, { recursive: true }),
        () => smb.rename('docs/a.txt', decoded, { replace: true }),
        () => smb.mkdirp(decoded),
        () => smb.createUpload('', decoded),
      ])
        expect(await failure(attempt)).toBeInstanceOf(PathError);
    }
    expect(await readFile(join(samba().shareDirectory, 'outside.txt'), 'utf8')).toBe(
      'not for the mount',
    );
  });

  it('lists a 10,000-entry directory', async () => {
    const dir = onShare('many');
    await mkdir(dir);
    const { uid, gid } = await shareOwner(samba());
    await chown(dir, uid, gid);
    for (let index = 0; index < 10_000; index += 500)
      await Promise.all(
        Array.from({ length: 500 }, (_, offset) =>
          writeFile(join(dir, `file-${String(index + offset).padStart(5, '0')}.txt`), 'x'),
        ),
      );
    const listed = await timed(() => smb.list('many'));
    expect(listed.value).toHaveLength(10_000);
    expect(listed.value.every((entry: SmbStat) => entry.type === 'file' && entry.size === 1)).toBe(
      true,
    );
    const again = await timed(() => smb.list('many'));
    const connectOnly = await smbclient(samba(), 'ls .keep', ['-D', 'mount']);
    const client = await smbclient(samba(), 'ls many\\*', ['-D', 'mount']);
    expect(client.stdout.split('\n').filter((line) => line.includes('file-'))).toHaveLength(10_000);
    report(
      `${profile}: list 10,000 entries ${listed.ms.toFixed(0)} ms, again ${again.ms.toFixed(0)} ms; smbclient ls ${client.ms.toFixed(0)} ms including its connect (${connectOnly.ms.toFixed(0)} ms for connect and a one-file ls)`,
    );
    // Recursive delete is tested on small trees: 10,000 unlinks would only slow the suite down.
    await rm(dir, { recursive: true });
  });
});

// Uploads end to end: tus 1.0 (with tus-js-client, the reference client, for a 256 MiB file in
// chunks; by hand for the edge cases) and whole-file PUT, on the test bed's Samba in both
// profiles. The target is replaced only by the commit; until then the old file reads as it was.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_ROLES, sha256, useIdentityAndRedis, USERS } from '../test-support/mount-fixture.js';
import {
  apiClient,
  mountApi,
  type ApiClient,
  type RunningService,
} from '../test-support/mount-service.js';
import {
  mibPerSecond,
  putOnShare,
  report,
  startSamba,
  useServer,
} from '../test-support/samba-share.js';
import { createUpload, location, offsetOf, patch, TUS } from '../test-support/tus.js';

const MiB = 1 << 20;

describe.each(['default', 'hardened'] as const)('uploads, Samba %s profile', (profile) => {
  const { tokens, start } = useIdentityAndRedis();
  const samba = useServer(() => startSamba(profile));
  let service: RunningService;
  let api: ApiClient;
  let token: string;
  const onShare = (path: string) => join(samba().shareDirectory, 'm', path);
  const put = (path: string, data: string | Uint8Array) => putOnShare(samba(), `m/${path}`, data);

  beforeAll(async () => {
    await put('up/.keep', '');
    service = await start([{ name: 'docs', samba: samba(), path: '/m', roles: DOCS_ROLES }]);
    token = await tokens.for(USERS.editor);
    api = apiClient(service.origin, token);
  });
  afterAll(async () => {
    await service.stop();
  });

  it('takes 256 MiB from tus-js-client in 8 MiB chunks; the old file reads intact until the commit', async () => {
    const data = randomBytes(256 * MiB);
    const old = 'the old content';
    await put('up/big.bin', old);
    let version = '';
    let oldReads = 0;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: `${service.origin}/mounts/api/v1/m/docs/uploads/`,
        chunkSize: 8 * MiB,
        headers: { authorization: `Bearer ${token}` },
        metadata: { filename: 'big.bin', directory: 'up' },
        retryDelays: [],
        onChunkComplete: (_chunk, sent) => {
          // Half way: the target is still the old file, whole.
          if (sent === 128 * MiB) {
            void api(mountApi('docs', 'content', { path: 'up/big.bin' }))
              .then((response) => response.text())
              .then((text) => {
                if (text === old) oldReads += 1;
              });
          }
        },
        onAfterResponse: (_request, response) => {
          const header = response.getHeader('X-Item-Version');
          if (header) version = header;
        },
        onSuccess: () => {
          resolve();
        },
        onError: reject,
      });
      upload.start();
    });
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(oldReads).toBe(1);
    const stat = await api.json(mountApi('docs', 'stat', { path: 'up/big.bin' }));
    expect(stat.body.size).toBe(data.length);
    expect(version).toBe(stat.body.version);
    expect(sha256(await readFile(onShare('up/big.bin')))).toBe(sha256(data));
    // No temporary file is left.
    expect((await readdir(onShare('up'))).filter((name) => name.includes('.~'))).toEqual([]);
    report(
      `${profile}: tus upload of 256 MiB in 32 chunks of 8 MiB in ${ms.toFixed(0)} ms (${mibPerSecond(data.length, ms)} MiB/s)`,
    );
  });

  it('resumes an upload whose PATCH was cut off, from the offset HEAD reports', async () => {
    const data = randomBytes(8 * MiB + 1234);
    const created = await createUpload(api, 'docs', {
      filename: 'resumed.bin',
      directory: 'up',
      length: data.length,
    });
    expect(created.status).toBe(201);
    const url = location(created);
    expect(url).toMatch(/^\/mounts\/api\/v1\/m\/docs\/uploads\/[0-9a-f]{32}$/);
    // A client that sends 3 MiB of an 8 MiB chunk and disappears.
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${service.origin}${url}`, {
        method: 'PATCH',
        headers: {
          ...TUS,
          authorization: `Bearer ${token}`,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
          'content-length': String(8 * MiB),
        },
      });
      request.on('error', () => {
        resolve();
      });
      request.write(data.subarray(0, 3 * MiB), () => {
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 300);
      });
    });
    let offset = 0;
    for (let tries = 0; tries < 50; tries += 1) {
      offset = await offsetOf(api, url);
      if (offset > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(3 * MiB);
    const first = await patch(api, url, offset, data.subarray(offset, offset + 8 * MiB));
    expect(first.status).toBe(204);
    const next = Number(first.headers.get('upload-offset'));
    const last = await patch(api, url, next, data.subarray(next));
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-offset')).toBe(String(data.length));
    expect(last.headers.get('x-item-path')).toBe('up/resumed.bin');
    expect(sha256(await readFile(onShare('up/resumed.bin')))).toBe(sha256(data));
    report(
      `${profile}: cut-off PATCH confirmed ${String(offset)} of the 3 MiB sent; resumed from there`,
    );
  });

  it('enforces chunk sizes, the file size limit and the offset', async () => {
    const created = await createUpload(api, 'docs', {
      filename: 'limits.bin',
      directory: 'up',
      length: 20 * MiB,
    });
    const url = location(created);
    const tooBig = await patch(api, url, 0, randomBytes(8 * MiB + 1));
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()) as object).toMatchObject({ error: 'TooLarge' });
    const tooSmall = await patch(api, url, 0, randomBytes(1000));
    expect(tooSmall.status).toBe(400);
    const wrongOffset = await patch(api, url, 5, randomBytes(MiB));
    expect(wrongOffset.status).toBe(409);
    expect(((await wrongOffset.json()) as { error: string }).error).toBe('Conflict');
    const huge = await createUpload(api, 'docs', {
      filename: 'huge.bin',
      directory: 'up',
      length: 3 * 1024 * MiB,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toBe('TooLarge');
    // A body without a length (chunked transfer encoding) is refused in chunked mode.
    const streamed = await api(url, {
      method: 'PATCH',
      headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(1024));
          controller.close();
        },
      }),
      duplex: 'half',
    });
    expect(streamed.status).toBe(411);
    expect((await api(url, { method: 'DELETE', headers: TUS })).status).toBe(204);
  });

  it('lets only the creator continue, inspect or cancel an upload', async () => {
    const created = await createUpload(api, 'docs', {
      filename: 'mine.txt',
      directory: 'up',
      length: 4,
    });
    const url = location(created);
    const other = apiClient(service.origin, await tokens.for(USERS.manager));
    expect((await other(url, { method: 'HEAD', headers: TUS })).status).toBe(404);
    expect((await patch(other, url, 0, Buffer.from('evil'))).status).toBe(404);
    expect((await other(url, { method: 'DELETE', headers: TUS })).status).toBe(404);
    const viewer = apiClient(service.origin, await tokens.for(USERS.viewer));
    expect(
      (await createUpload(viewer, 'docs', { filename: 'v.txt', directory: 'up', length: 1 }))
        .status,
    ).toBe(403);
    expect((await patch(api, url, 0, Buffer.from('mine'))).status).toBe(204);
    expect(await readFile(onShare('up/mine.txt'), 'utf8')).toBe('mine');
  });

  it('terminates an upload, leaving the target as it was', async () => {
    await put('up/kept.txt', 'kept');
    const created = await createUpload(api, 'docs', {
      filename: 'kept.txt',
      directory: 'up',
      length: 2 * MiB,
    });
    const url = location(created);
    expect((await patch(api, url, 0, randomBytes(MiB))).status).toBe(204);
    expect(
      (await readdir(onShare('up'))).some((name) => name.startsWith('.kept.txt.~upload-')),
    ).toBe(true);
    expect((await api(url, { method: 'DELETE', headers: TUS })).status).toBe(204);
    expect((await api(url, { method: 'HEAD', headers: TUS })).status).toBe(404);
    expect(
      (await readdir(onShare('up'))).some((name) => name.startsWith('.kept.txt.~upload-')),
    ).toBe(false);
    expect(await readFile(onShare('up/kept.txt'), 'utf8')).toBe('kept');
  });

  it('commits an empty file at creation, refuses a directory as target and a missing directory', async () => {
    const empty = await createUpload(api, 'docs', {
      filename: 'empty.txt',
      directory: 'up',
      length: 0,
    });
    expect(empty.status).toBe(201);
    expect(empty.headers.get('x-item-version')).toMatch(/^\d+-0$/);
    expect((await api.json(mountApi('docs', 'stat', { path: 'up/empty.txt' }))).body.size).toBe(0);
    await put('up/adir/x', 'x');
    const onDirectory = await createUpload(api, 'docs', {
      filename: 'adir',
      directory: 'up',
      length: 1,
    });
    expect(onDirectory.status).toBe(409);
    const nowhere = await createUpload(api, 'docs', {
      filename: 'x.txt',
      directory: 'no/such/dir',
      length: 1,
    });
    expect(nowhere.status).toBe(404);
    const noName = await api('/mounts/api/v1/m/docs/uploads/', {
      method: 'POST',
      headers: { ...TUS, 'upload-length': '1' },
    });
    expect(noName.status).toBe(400);
  });

  it('answers OPTIONS with the tus capabilities', async () => {
    const response = await api('/mounts/api/v1/m/docs/uploads/', { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('tus-version')).toBe('1.0.0');
    expect(response.headers.get('tus-extension')).toContain('termination');
    expect(response.headers.get('tus-max-size')).toBe(String(2 * 1024 * MiB));
  });
});

describe('whole-file uploads (UPLOAD_CHUNKED=false)', () => {
  const { tokens, start } = useIdentityAndRedis();
  const samba = useServer(() => startSamba('hardened'));
  let service: RunningService;
  let api: ApiClient;
  let token: string;
  const onShare = (path: string) => join(samba().shareDirectory, path);

  beforeAll(async () => {
    await putOnShare(samba(), 'w/.keep', '');
    service = await start([{ name: 'docs', samba: samba(), roles: DOCS_ROLES }], {
      UPLOAD_CHUNKED: 'false',
      UPLOAD_MAX_FILE_SIZE_BYTES: String(64 * MiB),
    });
    token = await tokens.for(USERS.editor);
    api = apiClient(service.origin, token);
    // Connected before anything is timed.
    await api.json(mountApi('docs', 'items'));
  });
  afterAll(async () => {
    await service.stop();
  });

  const putFile = (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) =>
    api.json(mountApi('docs', 'content', { path }), { method: 'PUT', body, headers });

  it('creates, replaces and honours If-Match / If-None-Match', async () => {
    const data = randomBytes(20 * MiB);
    const started = performance.now();
    const created = await putFile('w/file.bin', data);
    const ms = performance.now() - started;
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ path: 'w/file.bin', size: data.length });
    expect(created.headers.get('etag')).toBe(created.body.etag);
    expect(created.headers.get('x-item-version')).toBe(created.body.version);
    expect(sha256(await readFile(onShare('w/file.bin')))).toBe(sha256(data));
    const stale = await putFile('w/file.bin', 'x', { 'if-match': '"1-1"' });
    expect(stale.status).toBe(412);
    const exists = await putFile('w/file.bin', 'x', { 'if-none-match': '*' });
    expect(exists.status).toBe(412);
    const replaced = await putFile('w/file.bin', 'new', { 'if-match': created.body.etag });
    expect(replaced.status).toBe(200);
    expect(await readFile(onShare('w/file.bin'), 'utf8')).toBe('new');
    const tooLarge = await putFile('w/big.bin', randomBytes(64 * MiB + 1));
    expect(tooLarge.status).toBe(413);
    report(`PUT of 20 MiB in ${ms.toFixed(0)} ms (${mibPerSecond(data.length, ms)} MiB/s)`);
  });

  it('keeps the old file when the request breaks off, and leaves no temporary file', async () => {
    await putOnShare(samba(), 'w/keep.txt', 'still here');
    await new Promise<void>((resolve) => {
      const request = httpRequest(
        `${service.origin}${mountApi('docs', 'content', { path: 'w/keep.txt' })}`,
        {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-length': String(16 * MiB) },
        },
      );
      request.on('error', () => {
        resolve();
      });
      request.write(randomBytes(4 * MiB), () => {
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 300);
      });
    });
    for (let tries = 0; tries < 50; tries += 1) {
      const names = await readdir(onShare('w'));
      if (!names.some((name) => name.includes('.~upload-'))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await readdir(onShare('w'))).filter((name) => name.includes('.~'))).toEqual([]);
    expect(await readFile(onShare('w/keep.txt'), 'utf8')).toBe('still here');
  });

  it('still takes tus uploads, without chunk limits', async () => {
    const data = randomBytes(20 * MiB);
    const created = await createUpload(api, 'docs', {
      filename: 'one-patch.bin',
      directory: 'w',
      length: data.length,
    });
    const url = location(created);
    const done = await patch(api, url, 0, data);
    expect(done.status).toBe(204);
    expect(sha256(await readFile(onShare('w/one-patch.bin')))).toBe(sha256(data));
    const capabilities = await api.json(mountApi('docs', 'capabilities'));
    expect(capabilities.body.upload).toMatchObject({ chunked: false, wholeFilePut: true });
  });
});

// The REST API end to end over HTTP, with real access tokens from the test IdP, on the test bed's
// Samba in both profiles: every operation, conditional and range downloads, listings that follow
// changes made on the share, bounded search, per-mount state, and the OpenAPI document.
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../operator/src/testbed/processes.js';
import {
  counter,
  DOCS_ROLES,
  sha256,
  useIdentityAndRedis,
  USERS,
} from '../test-support/mount-fixture.js';
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
  timed,
  useServer,
} from '../test-support/samba-share.js';

const MiB = 1 << 20;

describe.each(['default', 'hardened'] as const)('the mounts API, Samba %s profile', (profile) => {
  const { tokens, start } = useIdentityAndRedis();
  const samba = useServer(() => startSamba(profile));
  let service: RunningService;
  let api: ApiClient;
  const onShare = (path: string) => join(samba().shareDirectory, 'm', path);
  const put = (path: string, data: string | Uint8Array) => putOnShare(samba(), `m/${path}`, data);

  beforeAll(async () => {
    await put('.keep', '');
    await putOnShare(samba(), 'outside.txt', 'not for the mount');
    service = await start(
      [
        { name: 'docs', samba: samba(), path: '/m', roles: DOCS_ROLES },
        {
          name: 'down',
          samba: samba(),
          port: await freePort(),
          roles: [{ subject: { group: 'managers' }, role: 'manager' }],
        },
      ],
      {},
      { listingTtlMs: 400 },
    );
    api = apiClient(service.origin, await tokens.for(USERS.manager));
  });
  afterAll(async () => {
    await service.stop();
  });

  it('lists the mounts a caller has a role on, each with its state', async () => {
    const down = await api.json(mountApi('down', 'items'));
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('Unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
    // The other mount works all the same.
    expect((await api.json(mountApi('docs', 'items'))).status).toBe(200);
    const { status, body } = await api.json('/mounts/api/v1/mounts');
    expect(status).toBe(200);
    const byName = Object.fromEntries(body.mounts.map((mount: any) => [mount.name, mount]));
    expect(byName.docs).toMatchObject({ role: 'manager', state: 'connected' });
    expect(byName.docs.actions).toContain('share');
    expect(byName.docs.capabilities.rangeReads).toBe(true);
    expect(byName.down).toMatchObject({ role: 'manager', state: 'unavailable' });
    expect(await (await fetch(`${service.origin}/readyz`)).text()).toBe('ok\n');

    const viewer = apiClient(service.origin, await tokens.for(USERS.viewer));
    expect((await viewer.json('/mounts/api/v1/mounts')).body.mounts).toEqual([
      expect.objectContaining({ name: 'docs', role: 'viewer' }),
    ]);
    const nobody = apiClient(service.origin, await tokens.for(USERS.none));
    expect((await nobody.json('/mounts/api/v1/mounts')).body.mounts).toEqual([]);
    // A mount without a role looks exactly like one that does not exist.
    const hidden = await nobody.json(mountApi('docs', 'items'));
    const missing = await nobody.json(mountApi('nope', 'items'));
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(hidden.body.error).toBe(missing.body.error);
  });

  it('tells the capabilities (no editor configured here: no WOPI)', async () => {
    const { status, body } = await api.json(mountApi('docs', 'capabilities'));
    expect(status).toBe(200);
    expect(body).toEqual({
      versioning: false,
      rangeReads: true,
      resumableUploads: true,
      wopi: false,
      shareLinks: true,
      searchByName: true,
      upload: {
        chunked: true,
        chunkSizeBytes: 8 * MiB,
        minChunkSizeBytes: 256 * 1024,
        maxChunkSizeBytes: 8 * MiB,
        maxFileSizeBytes: 2 * 1024 * MiB,
        tusEndpoint: '/mounts/api/v1/m/docs/uploads/',
        wholeFilePut: false,
      },
    });
  });

  it('lists and stats, with versions and ETags; the mount root is /m of the share', async () => {
    await put('list/b.txt', 'bee');
    await put('list/a.txt', 'a');
    await put('list/sub/c.txt', 'c');
    const { status, body } = await api.json(mountApi('docs', 'items', { path: 'list' }));
    expect(status).toBe(200);
    expect(body.directory).toMatchObject({ path: 'list', type: 'directory' });
    expect(body.entries.map((entry: any) => entry.name)).toEqual(['a.txt', 'b.txt', 'sub']);
    const b = body.entries[1];
    expect(b).toMatchObject({ name: 'b.txt', path: 'list/b.txt', type: 'file', size: 3 });
    expect(b.version).toMatch(/^\d+-3$/);
    expect(b.etag).toBe(`"${b.version as string}"`);
    expect(new Date(b.mtime).toISOString()).toBe(b.mtime);
    const stat = await api.json(mountApi('docs', 'stat', { path: 'list/b.txt' }));
    expect(stat.body).toEqual(b);
    const root = await api.json(mountApi('docs', 'items'));
    expect(root.body.entries.map((entry: any) => entry.name)).not.toContain('outside.txt');
    const missing = await api.json(mountApi('docs', 'stat', { path: 'list/none.txt' }));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'NotFound', message: 'not found: /list/none.txt' });
  });

  it('shows a change made directly on the share on the next listing', async () => {
    await put('live/one.txt', '1');
    const names = async () =>
      (await api.json(mountApi('docs', 'items', { path: 'live' }))).body.entries.map(
        (entry: any) => `${entry.name as string}:${String(entry.size)}`,
      );
    expect(await names()).toEqual(['one.txt:1']);
    const hits = await counter(service.origin, 'smb_mount_listing_cache_total', { outcome: 'hit' });
    expect(await names()).toEqual(['one.txt:1']);
    expect(await counter(service.origin, 'smb_mount_listing_cache_total', { outcome: 'hit' })).toBe(
      hits + 1,
    );
    // Added, renamed and removed behind the service's back: each changes the directory.
    await put('live/two.txt', '22');
    expect(await names()).toEqual(['one.txt:1', 'two.txt:2']);
    await unlink(onShare('live/one.txt'));
    expect(await names()).toEqual(['two.txt:2']);
    // Rewritten in place, which leaves the directory as it was: shown once the TTL is over.
    await writeFile(onShare('live/two.txt'), '2222');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await names()).toEqual(['two.txt:4']);
    const stat = await api.json(mountApi('docs', 'stat', { path: 'live/two.txt' }));
    expect(stat.body.size).toBe(4);
  });

  it('lists a directory of 2,000 entries, then again from the cache after a stat', async () => {
    for (let index = 0; index < 2000; index += 1)
      await put(`many/file-${String(index).padStart(4, '0')}.txt`, '');
    const list = () => api.json(mountApi('docs', 'items', { path: 'many' }));
    const first = await timed(list);
    expect(first.value.body.entries).toHaveLength(2000);
    const again = await timed(list);
    expect(again.value.body.entries).toHaveLength(2000);
    await put('many/one-more.txt', '');
    const changed = await timed(list);
    expect(changed.value.body.entries).toHaveLength(2001);
    report(
      `${profile}: listing of 2,000 entries ${first.ms.toFixed(0)} ms, unchanged (stat + cache) ${again.ms.toFixed(0)} ms, changed ${changed.ms.toFixed(0)} ms`,
    );
    await rm(onShare('many'), { recursive: true });
  });

  it('makes directories, recursively', async () => {
    const made = await api.json(mountApi('docs', 'mkdir'), {
      method: 'POST',
      body: JSON.stringify({ path: 'deep/er/est' }),
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ path: 'deep/er/est', type: 'directory' });
    expect((await api.json(mountApi('docs', 'stat', { path: 'deep/er' }))).body.type).toBe(
      'directory',
    );
    const again = await api.json(mountApi('docs', 'mkdir'), {
      method: 'POST',
      body: JSON.stringify({ path: 'deep/er/est' }),
    });
    expect(again.status).toBe(201);
    await put('deep/file', 'x');
    const blocked = await api.json(mountApi('docs', 'mkdir'), {
      method: 'POST',
      body: JSON.stringify({ path: 'deep/file/sub' }),
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toBe('Conflict');
    const bad = await api.json(mountApi('docs', 'mkdir'), {
      method: 'POST',
      body: JSON.stringify({ nopath: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('Invalid');
  });

  it('renames and moves, refusing an existing target unless asked to replace it', async () => {
    await put('mv/a.txt', 'alpha');
    await put('mv/b.txt', 'beta');
    const move = (body: object) =>
      api.json(mountApi('docs', 'move'), { method: 'POST', body: JSON.stringify(body) });
    const renamed = await move({ from: 'mv/a.txt', to: 'mv/a2.txt' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ path: 'mv/a2.txt', size: 5 });
    const conflict = await move({ from: 'mv/a2.txt', to: 'mv/b.txt' });
    expect(conflict.status).toBe(409);
    const replaced = await move({ from: 'mv/a2.txt', to: 'mv/b.txt', replace: true });
    expect(replaced.status).toBe(200);
    expect(replaced.body.size).toBe(5);
    const into = await move({ from: 'mv', to: 'moved/mv' });
    expect(into.status).toBe(404);
    await api.json(mountApi('docs', 'mkdir'), { method: 'POST', body: '{"path":"moved"}' });
    expect((await move({ from: 'mv', to: 'moved/mv' })).status).toBe(200);
    const listed = await api.json(mountApi('docs', 'items', { path: 'moved/mv' }));
    expect(listed.body.entries.map((entry: any) => entry.name)).toEqual(['b.txt']);
    const itself = await move({ from: 'moved', to: 'moved/mv/inside' });
    expect(itself.status).toBe(400);
    expect((await move({ from: 'nothing', to: 'else' })).status).toBe(404);
  });

  it('deletes files, and directories only recursively when they are not empty', async () => {
    await put('rm/tree/a/b.txt', 'b');
    await put('rm/file.txt', 'f');
    const remove = (path: string, recursive?: boolean) =>
      api.json(mountApi('docs', 'items', { path, recursive }), { method: 'DELETE' });
    expect((await remove('rm/file.txt')).status).toBe(204);
    const notEmpty = await remove('rm/tree');
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.error).toBe('NotEmpty');
    expect((await remove('rm/tree', false)).status).toBe(409);
    expect((await remove('rm/tree', true)).status).toBe(204);
    expect((await remove('rm/tree')).status).toBe(404);
    const listed = await api.json(mountApi('docs', 'items', { path: 'rm' }));
    expect(listed.body.entries).toEqual([]);
    expect((await remove('')).status).toBe(400);
  });

  describe('downloads', () => {
    const data = randomBytes(3 * MiB + 17);
    let etag: string;
    let lastModified: string;
    const get = (headers: Record<string, string> = {}, path = 'dl/data.bin', method = 'GET') =>
      api(mountApi('docs', 'content', { path }), { headers, method });
    const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

    beforeAll(async () => {
      await put('dl/data.bin', data);
      const head = await get({}, 'dl/data.bin', 'HEAD');
      etag = head.headers.get('etag') ?? '';
      lastModified = head.headers.get('last-modified') ?? '';
    });

    it('sends the whole file with its validators and safe headers', async () => {
      const response = await get();
      expect(response.status).toBe(200);
      expect(sha256(await bytes(response))).toBe(sha256(data));
      const stat = await api.json(mountApi('docs', 'stat', { path: 'dl/data.bin' }));
      expect(response.headers.get('etag')).toBe(`"${stat.body.version as string}"`);
      expect(response.headers.get('last-modified')).toBe(new Date(stat.body.mtime).toUTCString());
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.headers.get('content-length')).toBe(String(data.length));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename=data.bin');
      const head = await get({}, 'dl/data.bin', 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(data.length));
      expect(await head.text()).toBe('');
    });

    it('never serves a page inline, and names any file with RFC 5987', async () => {
      await put('dl/page.html', '<script>alert(1)</script>');
      await put('dl/Prévisions 日本.txt', 'text');
      const page = await get({}, 'dl/page.html');
      expect(page.headers.get('content-type')).toBe('application/octet-stream');
      expect(page.headers.get('content-disposition')).toBe('attachment; filename=page.html');
      expect(page.headers.get('content-security-policy')).toContain('sandbox');
      const text = await get({}, 'dl/Prévisions 日本.txt');
      expect(text.headers.get('content-type')).toBe('text/plain');
      expect(text.headers.get('content-disposition')).toBe(
        `attachment; filename="Pr?visions ??.txt"; filename*=UTF-8''Pr%C3%A9visions%20%E6%97%A5%E6%9C%AC.txt`,
      );
      expect(await text.text()).toBe('text');
    });

    it('serves one range with 206, and a multi-range request whole', async () => {
      const cases: [string, number, number][] = [
        ['bytes=0-0', 0, 0],
        ['bytes=1000-2000000', 1000, 2_000_000],
        [`bytes=${String(data.length - 10)}-`, data.length - 10, data.length - 1],
        ['bytes=-100', data.length - 100, data.length - 1],
        [`bytes=5-${String(data.length + 100)}`, 5, data.length - 1],
      ];
      for (const [range, first, last] of cases) {
        const response = await get({ range });
        expect(response.status, range).toBe(206);
        expect(response.headers.get('content-range')).toBe(
          `bytes ${String(first)}-${String(last)}/${String(data.length)}`,
        );
        expect(response.headers.get('content-length')).toBe(String(last - first + 1));
        expect((await bytes(response)).equals(data.subarray(first, last + 1))).toBe(true);
      }
      const multi = await get({ range: 'bytes=0-9,100-109' });
      expect(multi.status).toBe(200);
      expect((await bytes(multi)).length).toBe(data.length);
      const malformed = await get({ range: 'bytes=x-y' });
      expect(malformed.status).toBe(200);
      await malformed.body?.cancel();
    });

    it('answers 416 for a range past the end, 304 for a matching If-None-Match', async () => {
      const past = await get({ range: `bytes=${String(data.length)}-` });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${String(data.length)}`);
      expect(((await past.json()) as any).error).toBe('RangeNotSatisfiable');
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const cached = await get({ 'if-none-match': ifNoneMatch });
        expect(cached.status, ifNoneMatch).toBe(304);
        expect(cached.headers.get('etag')).toBe(etag);
        expect(await cached.text()).toBe('');
      }
      const stale = await get({ 'if-none-match': '"1-1"' });
      expect(stale.status).toBe(200);
      await stale.body?.cancel();
      const since = await get({ 'if-modified-since': lastModified });
      expect(since.status).toBe(304);
    });

    it('honours If-Range by ETag or date, sending the whole file when it no longer matches', async () => {
      const byTag = await get({ range: 'bytes=0-9', 'if-range': etag });
      expect(byTag.status).toBe(206);
      await byTag.body?.cancel();
      const byDate = await get({ range: 'bytes=0-9', 'if-range': lastModified });
      expect(byDate.status).toBe(206);
      await byDate.body?.cancel();
      const changed = await get({ range: 'bytes=0-9', 'if-range': '"1-1"' });
      expect(changed.status).toBe(200);
      expect((await bytes(changed)).length).toBe(data.length);
      const oldDate = await get({ range: 'bytes=0-9', 'if-range': new Date(0).toUTCString() });
      expect(oldDate.status).toBe(200);
      await oldDate.body?.cancel();
      const weak = await get({ range: 'bytes=0-9', 'if-range': `W/${etag}` });
      expect(weak.status).toBe(200);
      await weak.body?.cancel();
    });

    it('refuses a directory; streams a large file at speed', async () => {
      const dir = await get({}, 'dl');
      expect(dir.status).toBe(409);
      const size = 64 * MiB;
      const data = randomBytes(size);
      await put('dl/large.bin', data);
      const token = await tokens.for(USERS.manager);
      const url = `${service.origin}${mountApi('docs', 'content', { path: 'dl/large.bin' })}`;
      // Streamed and hashed as it arrives, by a client in this same process (the bench measures
      // from outside).
      const { value, ms } = await timed(
        () =>
          new Promise<{ length: number; hash: string }>((resolve, reject) => {
            httpRequest(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
              const hash = createHash('sha256');
              let length = 0;
              response.on('data', (chunk: Buffer) => {
                length += chunk.length;
                hash.update(chunk);
              });
              response.on('end', () => {
                resolve({ length, hash: hash.digest('hex') });
              });
              response.on('error', reject);
            })
              .on('error', reject)
              .end();
          }),
      );
      expect(value).toEqual({ length: size, hash: sha256(data) });
      report(
        `${profile}: download of 64 MiB over HTTP in ${ms.toFixed(0)} ms (${mibPerSecond(size, ms)} MiB/s, client in-process)`,
      );
    });

    it('stops reading when the client goes away, and lets go of the file', async () => {
      await put('dl/abandoned.bin', randomBytes(32 * MiB));
      const url = new URL(
        `${service.origin}${mountApi('docs', 'content', { path: 'dl/abandoned.bin' })}`,
      );
      const token = await tokens.for(USERS.manager);
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          url,
          { headers: { authorization: `Bearer ${token}` } },
          (response) => {
            response.once('data', () => {
              request.destroy();
              resolve();
            });
          },
        );
        request.on('error', (error) => {
          if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
        });
        request.end();
      });
      // libsmbclient's open blocks a rename: the replace succeeds once the reads have stopped.
      await put('dl/replacement.bin', 'new');
      const started = performance.now();
      let status = 0;
      while (performance.now() - started < 10_000) {
        const moved = await api.json(mountApi('docs', 'move'), {
          method: 'POST',
          body: JSON.stringify({
            from: 'dl/replacement.bin',
            to: 'dl/abandoned.bin',
            replace: true,
          }),
        });
        status = moved.status;
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      report(
        `${profile}: file free again ${(performance.now() - started).toFixed(0)} ms after the client left`,
      );
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await put('find/Report-2024.txt', '');
      await put('find/a/report-draft.md', '');
      await put('find/a/b/c/REPORT-final.pdf', '');
      await put('find/a/b/c/d/e/deep-report.txt', '');
      await put('find/other.txt', '');
    });
    const search = (parameters: Record<string, string | number>) =>
      api.json(mountApi('docs', 'search', { path: 'find', ...parameters }));

    it('finds names recursively, case-insensitively', async () => {
      const { status, body } = await search({ q: 'report' });
      expect(status).toBe(200);
      expect(body.complete).toBe(true);
      expect(body.matches.map((entry: any) => entry.path).sort()).toEqual([
        'find/Report-2024.txt',
        'find/a/b/c/REPORT-final.pdf',
        'find/a/b/c/d/e/deep-report.txt',
        'find/a/report-draft.md',
      ]);
    });

    it('says when a bound cut the search short', async () => {
      const shallow = await search({ q: 'report', maxDepth: 2 });
      expect(shallow.body.complete).toBe(false);
      expect(shallow.body.cutBy).toEqual(['depth']);
      expect(shallow.body.matches.map((entry: any) => entry.path).sort()).toEqual([
        'find/Report-2024.txt',
        'find/a/report-draft.md',
      ]);
      const few = await search({ q: 'report', maxResults: 1 });
      expect(few.body).toMatchObject({ complete: false, cutBy: ['results'] });
      expect(few.body.matches).toHaveLength(1);
      // A wide tree and a very short time.
      for (let index = 0; index < 300; index += 1) await put(`wide/d${String(index)}/x.txt`, '');
      const timed = await performanceOf(() =>
        api.json(mountApi('docs', 'search', { path: 'wide', q: 'x.txt', timeoutMs: 20 })),
      );
      expect(timed.value.body.complete).toBe(false);
      expect(timed.value.body.cutBy).toContain('time');
      expect(timed.ms).toBeLessThan(2000);
      const full = await performanceOf(() =>
        api.json(mountApi('docs', 'search', { path: 'wide', q: 'x.txt', maxResults: 1000 })),
      );
      expect(full.value.body).toMatchObject({ complete: true });
      expect(full.value.body.matches).toHaveLength(300);
      report(
        `${profile}: search of 301 directories in ${full.ms.toFixed(0)} ms; cut at 20 ms after ${timed.ms.toFixed(0)} ms with ${String(timed.value.body.matches.length)} matches`,
      );
      await rm(onShare('wide'), { recursive: true });
    });

    it('refuses a query outside its bounds, and a start that is a file', async () => {
      expect((await search({ q: '' })).status).toBe(400);
      expect((await search({ q: 'x', maxDepth: 100 })).status).toBe(400);
      expect((await search({ q: 'x', timeoutMs: 600_000 })).status).toBe(400);
      const file = await api.json(mountApi('docs', 'search', { path: 'find/other.txt', q: 'x' }));
      expect(file.status).toBe(409);
    });
  });
});

async function performanceOf<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('the OpenAPI document', () => {
  const { start } = useIdentityAndRedis();
  const samba = useServer(() => startSamba('default'));
  let service: RunningService;
  beforeAll(async () => {
    service = await start([{ name: 'docs', samba: samba(), roles: DOCS_ROLES }]);
  });
  afterAll(async () => {
    await service.stop();
  });

  it('validates as OpenAPI 3 and documents every route', async () => {
    const response = await fetch(`${service.origin}/mounts/api/openapi.json`);
    expect(response.status).toBe(200);
    const document: any = await response.json();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.0.3');
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Record<string, object>))
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path}`);
    const registered = service.routes.map(
      (route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect([...new Set(registered)].sort()).toEqual([...documented].sort());
    expect(document.components.schemas).toHaveProperty('Entry');
    expect(document.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
    report(`OpenAPI: ${String(documented.size)} operations, all routes documented`);
  });
});

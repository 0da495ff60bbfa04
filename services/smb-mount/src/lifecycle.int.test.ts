// The service as a process: killed (SIGKILL) in the middle of an upload, it leaves the old file
// intact and the upload resumes after a restart, from the offset HEAD reports; on SIGTERM it
// drains (readiness fails, the request in flight finishes, then it exits); without Redis it is
// not ready. On the test bed's Samba in both profiles.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../../operator/src/testbed/redis.js';
import { isAlive } from '../../../operator/src/testbed/processes.js';
import { DOCS_ROLES, sha256, useIdentityAndRedis, USERS } from './test-support/mount-fixture.js';
import { apiClient, mountApi, serviceEnv, startService } from './test-support/mount-service.js';
import { putOnShare, report, startSamba, useServer } from './test-support/samba-share.js';
import {
  serviceDirectory,
  startServiceProcess,
  type ServiceProcess,
} from './test-support/service-process.js';
import { createUpload, location, offsetOf, patch, TUS } from './test-support/tus.js';

const MiB = 1 << 20;

function until(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(['default', 'hardened'] as const)(
  'the service process, Samba %s profile',
  (profile) => {
    const fixture = useIdentityAndRedis();
    const samba = useServer(() => startSamba(profile));
    let env: Record<string, string>;
    let directory: Awaited<ReturnType<typeof serviceDirectory>>;
    const running: ServiceProcess[] = [];
    const onShare = (path: string) => join(samba().shareDirectory, 'm', path);

    beforeAll(async () => {
      await putOnShare(samba(), 'm/up/.keep', '');
      directory = await serviceDirectory();
      env = serviceEnv({
        idp: fixture.idp(),
        clientId: fixture.client.id,
        clientSecret: fixture.client.secret,
        redisUrl: fixture.redis().url,
        mounts: [{ name: 'docs', samba: samba(), path: '/m', roles: DOCS_ROLES }],
        overrides: { DRAIN_DELAY_MS: '1500' },
      });
    });
    afterAll(async () => {
      for (const service of running) await service.process.stop();
      await directory.remove();
    });

    const start = async (port?: number) => {
      const service = await startServiceProcess(env, directory.path, port);
      running.push(service);
      return service;
    };

    it('killed mid-PATCH, keeps the old file and resumes the upload after a restart', async () => {
      const old = randomBytes(MiB + 7);
      await putOnShare(samba(), 'm/up/report.bin', old);
      const data = randomBytes(64 * MiB);
      const chunk = 8 * MiB;
      const first = await start();
      const token = await fixture.tokens.for(USERS.editor);
      let api = apiClient(first.origin, token);
      const created = await createUpload(api, 'docs', {
        filename: 'report.bin',
        directory: 'up',
        length: data.length,
      });
      expect(created.status).toBe(201);
      const url = location(created);
      for (let offset = 0; offset < 4 * chunk; offset += chunk)
        expect((await patch(api, url, offset, data.subarray(offset, offset + chunk))).status).toBe(
          204,
        );

      // The fifth chunk: half of it sent, the writes under way, then SIGKILL.
      const cut = new Promise<void>((resolve) => {
        const request = httpRequest(`${first.origin}${url}`, {
          method: 'PATCH',
          headers: {
            ...TUS,
            authorization: `Bearer ${token}`,
            'content-type': 'application/offset+octet-stream',
            'upload-offset': String(4 * chunk),
            'content-length': String(chunk),
          },
        });
        request.on('error', () => {
          resolve();
        });
        request.on('response', (response) => {
          response.resume();
          resolve();
        });
        request.write(data.subarray(4 * chunk, 4 * chunk + chunk / 2));
      });
      const temp = async () =>
        (await readdir(onShare('up'))).find((name) => name.startsWith('.report.bin.~upload-'));
      // Wait until the bytes of the cut chunk reach the share, so that the kill leaves them there.
      for (let tries = 0; tries < 100; tries += 1) {
        const name = await temp();
        if (name !== undefined && (await stat(onShare(`up/${name}`))).size > 4 * chunk) break;
        await until(20);
      }
      process.kill(first.process.pid, 'SIGKILL');
      await first.process.exited;
      await cut;
      expect(isAlive(first.process.pid)).toBe(false);
      const tempName = await temp();
      expect(tempName).toBeDefined();
      const leftover = (await stat(onShare(`up/${tempName ?? ''}`))).size;
      // In between: the old file, whole, on the share.
      expect(sha256(await readFile(onShare('up/report.bin')))).toBe(sha256(old));

      const restartedAt = performance.now();
      const second = await start();
      const startedMs = performance.now() - restartedAt;
      api = apiClient(second.origin, token);
      // And through the restarted service.
      const read = await api(mountApi('docs', 'content', { path: 'up/report.bin' }));
      expect(sha256(Buffer.from(await read.arrayBuffer()))).toBe(sha256(old));
      const headAt = performance.now();
      const offset = await offsetOf(api, url);
      const headMs = performance.now() - headAt;
      expect(offset).toBeGreaterThanOrEqual(4 * chunk);
      expect(offset).toBeLessThanOrEqual(4 * chunk + chunk / 2);
      for (let at = offset; at < data.length;) {
        const answer = await patch(
          api,
          url,
          at,
          data.subarray(at, Math.min(at + chunk, data.length)),
        );
        expect(answer.status).toBe(204);
        at = Number(answer.headers.get('upload-offset'));
        if (at === data.length) {
          const stat = await api.json(mountApi('docs', 'stat', { path: 'up/report.bin' }));
          expect(answer.headers.get('x-item-version')).toBe(stat.body.version);
        }
      }
      expect(sha256(await readFile(onShare('up/report.bin')))).toBe(sha256(data));
      expect(await temp()).toBeUndefined();
      report(
        `${profile}: killed with ${String(leftover)} bytes in the temporary file; restarted in ${startedMs.toFixed(0)} ms; HEAD after ${headMs.toFixed(0)} ms (the dead holder's lock lapsing) said ${String(offset)}; finished, sha256 matches`,
      );
    });

    it('drains on SIGTERM: not ready at once, the request in flight finishes, then it exits', async () => {
      const service = await start();
      const token = await fixture.tokens.for(USERS.editor);
      const api = apiClient(service.origin, token);
      const data = randomBytes(2 * MiB);
      const created = await createUpload(api, 'docs', {
        filename: 'drained.bin',
        directory: 'up',
        length: data.length,
      });
      const url = location(created);
      // A PATCH that sends its body slowly, across the SIGTERM.
      const slow = new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${service.origin}${url}`, {
          method: 'PATCH',
          headers: {
            ...TUS,
            authorization: `Bearer ${token}`,
            'content-type': 'application/offset+octet-stream',
            'upload-offset': '0',
            'content-length': String(data.length),
          },
        });
        request.on('error', reject);
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.write(data.subarray(0, MiB));
        setTimeout(() => request.end(data.subarray(MiB)), 1000);
      });
      await until(200);
      process.kill(service.process.pid, 'SIGTERM');
      await until(200);
      const ready = await fetch(`${service.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toBe('draining\n');
      expect(await slow).toBe(204);
      expect(await service.process.exited).toBe(0);
      expect(sha256(await readFile(onShare('up/drained.bin')))).toBe(sha256(data));
      const log = await service.log();
      expect(log).toContain('"msg":"draining"');
      expect(log).not.toContain(samba().password);
      expect(log).not.toContain(token);
    });
  },
);

describe('readiness and Redis', () => {
  const fixture = useIdentityAndRedis();
  const samba = useServer(() => startSamba('default'));

  it('is not ready while Redis is unreachable, and refuses uploads with 503; the rest works', async () => {
    // A Redis of its own, which goes away.
    const redis = await startRedis();
    const own = await startService(
      serviceEnv({
        idp: fixture.idp(),
        clientId: fixture.client.id,
        clientSecret: fixture.client.secret,
        redisUrl: redis.url,
        mounts: [{ name: 'docs', samba: samba(), roles: DOCS_ROLES }],
      }),
    );
    try {
      for (let tries = 0; tries < 50; tries += 1) {
        if ((await fetch(`${own.origin}/readyz`)).status === 200) break;
        await until(100);
      }
      expect((await fetch(`${own.origin}/readyz`)).status).toBe(200);
      await redis.stop();
      let status = 0;
      for (let tries = 0; tries < 50; tries += 1) {
        status = (await fetch(`${own.origin}/readyz`)).status;
        if (status === 503) break;
        await until(100);
      }
      expect(status).toBe(503);
      const api = apiClient(own.origin, await fixture.tokens.for(USERS.editor));
      expect((await api.json(mountApi('docs', 'items'))).status).toBe(200);
      const upload = await createUpload(api, 'docs', { filename: 'x.txt', length: 1 });
      expect(upload.status).toBe(503);
      expect(await upload.json()).toEqual({
        error: 'Unavailable',
        message: 'the shared store is unavailable',
      });
      expect(upload.headers.get('retry-after')).toBe('5');
    } finally {
      await own.stop();
      await redis.stop();
    }
  });
});

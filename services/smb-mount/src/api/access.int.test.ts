// Who may do what, end to end with real tokens: no credential is a 401 on every endpoint; the
// traversal corpus is a 400 on every path-taking endpoint before any SMB call; the full role ×
// action matrix; bearer tokens checked at the IdP once per cache lifetime.
import { Metadata } from '@tus/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counter, DOCS_ROLES, useIdentityAndRedis, USERS } from '../test-support/mount-fixture.js';
import { apiClient, mountApi, type RunningService } from '../test-support/mount-service.js';
import { putOnShare, report, startSamba, useServer } from '../test-support/samba-share.js';

const UPLOAD_ID = '0123456789abcdef0123456789abcdef';

function tusCreate(filename: string, directory?: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': '5',
      'upload-metadata': Metadata.stringify({
        filename,
        ...(directory === undefined ? {} : { directory }),
      }),
    },
  };
}

describe('access to the mounts API', () => {
  const { tokens, start } = useIdentityAndRedis();
  const samba = useServer(() => startSamba('hardened'));
  let service: RunningService;
  beforeAll(async () => {
    await putOnShare(samba(), 'm/.keep', '');
    service = await start([{ name: 'docs', samba: samba(), path: '/m', roles: DOCS_ROLES }], {
      UPLOAD_CHUNKED: 'false',
    });
  });
  afterAll(async () => {
    await service.stop();
  });

  const concrete = (url: string) => url.replace(':mount', 'docs').replace(':id', UPLOAD_ID);

  it('answers 401 with a Bearer challenge on every endpoint without a valid credential', async () => {
    const api = service.routes.filter(
      (route) => route.url.startsWith('/mounts/api/v1/') && route.method !== 'HEAD',
    );
    expect(api.length).toBeGreaterThanOrEqual(15);
    const bad = await tokens.for(USERS.manager).then((token) => `${token}x`);
    for (const route of [
      ...api,
      ...service.routes.filter((r) => r.url.startsWith('/mounts/api/v1/') && r.method === 'HEAD'),
    ]) {
      const url = `${service.origin}${concrete(route.url)}?path=a&q=a`;
      const anonymous = await fetch(url, { method: route.method });
      expect(anonymous.status, `${route.method} ${route.url}`).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="mounts"');
      if (route.method !== 'HEAD')
        expect(await anonymous.json()).toEqual({
          error: 'Unauthorized',
          message: 'authentication required',
        });
      else await anonymous.body?.cancel();
      const invalid = await fetch(url, {
        method: route.method,
        headers: { authorization: `Bearer ${bad}` },
      });
      expect(invalid.status, `${route.method} ${route.url}`).toBe(401);
      expect(invalid.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="mounts", error="invalid_token"/,
      );
      await invalid.body?.cancel();
    }
    for (const header of ['Bearer', 'Bearer a b', 'Basic dXNlcjpwYXNz']) {
      const response = await fetch(`${service.origin}/mounts/api/v1/mounts`, {
        headers: { authorization: header },
      });
      expect(response.status, header).toBe(401);
      await response.body?.cancel();
    }
    // The probes, the metrics and the document need no credential.
    for (const path of ['/healthz', '/readyz', '/metrics', '/mounts/api/openapi.json'])
      expect((await fetch(`${service.origin}${path}`)).status, path).toBe(200);
  });

  it('asks the IdP once per token while its answer is cached, valid or not', async () => {
    const token = await tokens.login(USERS.viewer);
    const lookups = () => counter(service.origin, 'smb_mount_userinfo_lookups_total');
    const before = await lookups();
    const api = apiClient(service.origin, token);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => api.json('/mounts/api/v1/mounts')),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    expect(await lookups()).toBe(before + 1);
    const invalid = apiClient(service.origin, 'not-a-token-the-idp-issued');
    for (let index = 0; index < 3; index += 1)
      expect((await invalid.json('/mounts/api/v1/mounts')).status).toBe(401);
    expect(await lookups()).toBe(before + 2);
    expect(
      await counter(service.origin, 'smb_mount_userinfo_lookups_total', { outcome: 'invalid' }),
    ).toBeGreaterThanOrEqual(1);
  });

  const CORPUS: string[] = [
    '..',
    '../outside.txt',
    'a/../../etc/passwd',
    './a',
    'a/./b',
    '...',
    '%2e%2e',
    '%2e%2e%2fetc',
    '%252e%252e',
    '%25252e%25252e%25252f',
    'a%2fb',
    'a%5cb',
    '..%2f..%2f',
    'a\\b',
    '..\\..\\windows',
    '/etc/passwd',
    '/',
    '//server/share',
    'a//b',
    'a/',
    'a\u0000b',
    '..\u0000',
    'a\nb',
    '\u2025',
    '\uff0e\uff0e',
    '\u2024\u2024/x',
    'a\u2215b',
    'a\uff0fb',
    'a\u2044b',
    'a\u29f5b',
    'a\uff3cb',
    '\u202etxt.exe',
    'C:\\Windows',
    'a:stream',
    'name.',
    'x'.repeat(256),
  ];

  it('refuses the traversal corpus with 400 on every path-taking endpoint, before any SMB call', async () => {
    const api = apiClient(service.origin, await tokens.for(USERS.manager));
    // Connected first, so that the counter below sees only what the corpus causes.
    expect((await api.json(mountApi('docs', 'items'))).status).toBe(200);
    const operations = () =>
      counter(service.origin, 'smb_mount_smb_operations_total', { mount: 'docs' });
    const before = await operations();
    const json = (body: object): RequestInit => ({
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    let checked = 0;
    for (const path of CORPUS) {
      const requests: [string, string, RequestInit?][] = [
        ['list', mountApi('docs', 'items', { path })],
        ['stat', mountApi('docs', 'stat', { path })],
        ['download', mountApi('docs', 'content', { path })],
        ['head', mountApi('docs', 'content', { path }), { method: 'HEAD' }],
        ['search', mountApi('docs', 'search', { path, q: 'x' })],
        ['delete', mountApi('docs', 'items', { path, recursive: true }), { method: 'DELETE' }],
        ['mkdir', mountApi('docs', 'mkdir'), json({ path })],
        ['move from', mountApi('docs', 'move'), json({ from: path, to: 'ok.txt' })],
        ['move to', mountApi('docs', 'move'), json({ from: 'ok.txt', to: path })],
        ['put', mountApi('docs', 'content', { path }), { method: 'PUT', body: 'x' }],
        ['tus directory', mountApi('docs', 'uploads'), tusCreate('ok.txt', path)],
        ['tus filename', mountApi('docs', 'uploads'), tusCreate(path)],
      ];
      for (const [what, url, init] of requests) {
        // The empty path is the mount root and '/' alone is absolute; both are fine as a directory
        // for a listing only when empty, never here.
        const response = await api(url, init);
        expect(response.status, `${what} ${JSON.stringify(path)}`).toBe(400);
        if (init?.method !== 'HEAD') {
          const body = (await response.json()) as { error: string; reason?: string };
          expect(body.error, `${what} ${JSON.stringify(path)}`).toBe('PathError');
          expect(body.reason).toBeTruthy();
        } else await response.body?.cancel();
        checked += 1;
      }
    }
    // Raw query strings, decoded once by the server: what a hand-made URL sends.
    for (const raw of ['%2e%2e', '%2e%2e%2f', '%252e%252e', 'a%2f..%2f..%2fb', '%00', '..%5c']) {
      const response = await api(`/mounts/api/v1/m/docs/stat?path=${raw}`);
      expect(response.status, raw).toBe(400);
      await response.body?.cancel();
      checked += 1;
    }
    expect(await operations()).toBe(before);
    // Overlong UTF-8 for '.' does not decode: the name stays the literal text `%c0%ae%c0%ae`,
    // which SMB is asked for as such (and smbUrl encodes its '%'), never `..`.
    const overlong = await api.json('/mounts/api/v1/m/docs/stat?path=%c0%ae%c0%ae');
    expect(overlong.status).toBe(404);
    expect(overlong.body.message).toBe('not found: /%c0%ae%c0%ae');
    report(`traversal corpus: ${String(checked)} requests refused with 400, no SMB call`);
  });

  describe('the role × action matrix', () => {
    type Expect = 'ok' | 403 | 404;
    const roles = {
      [USERS.none]: 'none',
      [USERS.viewer]: 'viewer',
      [USERS.editor]: 'editor',
      [USERS.both]: 'editor',
      [USERS.manager]: 'manager',
    } as const;
    const READ = ['capabilities', 'list', 'stat', 'download', 'head', 'search'] as const;
    const WRITE = ['mkdir', 'move', 'delete', 'put', 'upload'] as const;

    beforeAll(async () => {
      for (const user of Object.keys(roles)) {
        await putOnShare(samba(), `m/matrix/src-${user}.txt`, 'move me');
        await putOnShare(samba(), `m/matrix/del-${user}.txt`, 'delete me');
      }
      await putOnShare(samba(), 'm/matrix/read.txt', 'read me');
    });

    const attempt = async (user: string, action: string): Promise<number> => {
      const api = apiClient(service.origin, await tokens.for(user));
      const json = (body: object): RequestInit => ({
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      const send = async (url: string, init?: RequestInit) => {
        const response = await api(url, init);
        if (response.status === 201 && action === 'upload') {
          // The creation is the action; the upload itself is not needed.
          const location = response.headers.get('location') ?? '';
          await api(location, { method: 'DELETE', headers: { 'tus-resumable': '1.0.0' } });
        }
        await response.body?.cancel();
        return response.status;
      };
      switch (action) {
        case 'capabilities':
          return send(mountApi('docs', 'capabilities'));
        case 'list':
          return send(mountApi('docs', 'items', { path: 'matrix' }));
        case 'stat':
          return send(mountApi('docs', 'stat', { path: 'matrix/read.txt' }));
        case 'download':
          return send(mountApi('docs', 'content', { path: 'matrix/read.txt' }));
        case 'head':
          return send(mountApi('docs', 'content', { path: 'matrix/read.txt' }), { method: 'HEAD' });
        case 'search':
          return send(mountApi('docs', 'search', { path: 'matrix', q: 'read' }));
        case 'mkdir':
          return send(mountApi('docs', 'mkdir'), json({ path: `matrix/dir-${user}` }));
        case 'move':
          return send(
            mountApi('docs', 'move'),
            json({ from: `matrix/src-${user}.txt`, to: `matrix/dst-${user}.txt` }),
          );
        case 'delete':
          return send(mountApi('docs', 'items', { path: `matrix/del-${user}.txt` }), {
            method: 'DELETE',
          });
        case 'put':
          return send(mountApi('docs', 'content', { path: `matrix/put-${user}.txt` }), {
            method: 'PUT',
            body: 'put',
          });
        case 'upload':
          return send(mountApi('docs', 'uploads'), tusCreate(`tus-${user}.txt`, 'matrix'));
        default:
          throw new Error(action);
      }
    };

    const expected = (role: string, action: string): Expect => {
      if (role === 'none') return 404;
      if ((WRITE as readonly string[]).includes(action) && role === 'viewer') return 403;
      return 'ok';
    };

    it.each(Object.entries(roles))('%s (%s)', async (user, role) => {
      const outcomes: Record<string, number> = {};
      for (const action of [...READ, ...WRITE]) {
        const status = await attempt(user, action);
        outcomes[action] = status;
        const wanted = expected(role, action);
        if (wanted === 'ok') expect(status, `${user} ${action}`).toBeLessThan(300);
        else expect(status, `${user} ${action}`).toBe(wanted);
      }
      report(`matrix ${user} (${role}): ${JSON.stringify(outcomes)}`);
    });

    it('changed the share only for those allowed to', async () => {
      const api = apiClient(service.origin, await tokens.for(USERS.manager));
      const listed = await api.json(mountApi('docs', 'items', { path: 'matrix' }));
      const names = listed.body.entries.map((entry: any) => entry.name as string).sort();
      for (const user of [USERS.editor, USERS.both, USERS.manager]) {
        expect(names).toContain(`dir-${user}`);
        expect(names).toContain(`dst-${user}.txt`);
        expect(names).toContain(`put-${user}.txt`);
        expect(names).not.toContain(`del-${user}.txt`);
      }
      for (const user of [USERS.viewer, USERS.none]) {
        expect(names).not.toContain(`dir-${user}`);
        expect(names).toContain(`src-${user}.txt`);
        expect(names).toContain(`del-${user}.txt`);
        expect(names).not.toContain(`put-${user}.txt`);
      }
    });
  });
});

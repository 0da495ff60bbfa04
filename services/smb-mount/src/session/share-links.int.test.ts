// Share links end to end, in the service as app.ts builds it: a manager logged in at the test IdP
// creates them, a browser opens them, and their holders use the real API routes on real Samba.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../test-support/browser.js';
import { putOnShare, startSamba } from '../test-support/samba-share.js';
import {
  driveClient,
  newSecret,
  oidcSettings,
  PUBLIC_URL,
  startOidcProvider,
  startRedis,
  sessionEnv,
  startService,
  useServer,
  type MountEntry,
  type RunningService,
} from '../test-support/session-service.js';

const CLIENT = { id: 'drive', secret: newSecret() };
const at = (path: string) => new URL(path, PUBLIC_URL);
const MAIL = new URL('https://mail.example/inbox');
const PAGE = at('/mounts/team/');
const API = '/mounts/api/v1/m';

interface LinkBody {
  id: string;
  url: string;
  mount: string;
  path: string;
  target: 'file' | 'directory';
  role: 'viewer' | 'editor';
  expiresAt: string;
  createdAt: string;
  createdBy: { sub: string; email?: string };
}

describe('share links (test IdP, Redis, Samba)', () => {
  const idp = useServer(() =>
    startOidcProvider({ clients: [driveClient(CLIENT.secret)], groups: { eddie: ['staff'] } }),
  );
  const redis = useServer(() => startRedis());
  const samba = useServer(() => startSamba('default'));
  let service: RunningService;
  let manager: TestBrowser;
  let managerToken: string;

  const mount = (name: string, path: string): MountEntry => ({
    name,
    host: samba().host,
    port: samba().port,
    share: samba().share,
    path,
    roles: [
      { subject: { email: 'mara@example.test' }, role: 'manager' },
      { subject: { group: 'staff' }, role: 'editor' },
      { subject: { sub: 'vic' }, role: 'viewer' },
    ],
    username: samba().user,
    password: samba().password,
  });

  async function login(name: string): Promise<{ browser: TestBrowser; csrf: string }> {
    const browser = service.browser();
    await browser.navigate(at('/mounts/auth/login?returnTo=/mounts/team/'), {
      login: { name },
      stop: (url) => url.pathname === '/mounts/team/',
    });
    const session = await browser.request(at('/mounts/auth/session'));
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    return { browser, csrf: csrfToken };
  }

  beforeAll(async () => {
    for (const file of [
      'mount/Reports/2024/q1.txt',
      'mount/Reports/2024/q2.txt',
      'mount/Reports/2025/q1.txt',
      'mount/Public/readme.txt',
      'mount/Public/other.txt',
      'mount/top.txt',
      'other/elsewhere.txt',
    ])
      await putOnShare(samba(), file, `content of ${file}`);
    service = await startService(
      sessionEnv({
        oidc: await oidcSettings(idp().issuer, CLIENT),
        redisUrl: redis().url,
        mounts: [mount('team', '/mount'), mount('other', '/other')],
      }),
      { maxShareLinkExpiresInSeconds: 7 * 24 * 3600 },
    );
    ({ browser: manager, csrf: managerToken } = await login('mara'));
  });
  afterAll(async () => {
    await service.stop();
  });

  async function create(
    body: Record<string, unknown>,
    as: { browser: TestBrowser; csrf: string } = { browser: manager, csrf: managerToken },
    mountName = 'team',
  ): Promise<{ status: number; body: any }> {
    const response = await as.browser.request(at(`${API}/${mountName}/share-links`), {
      method: 'POST',
      from: PAGE,
      headers: { 'content-type': 'application/json', 'x-csrf-token': as.csrf },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  async function createLink(path: string, role: 'viewer' | 'editor', expiresInSeconds = 3600) {
    const { status, body } = await create({ path, role, expiresInSeconds });
    expect(status).toBe(201);
    return body as LinkBody;
  }

  const tokenOf = (link: LinkBody) => link.url.slice(`${PUBLIC_URL}/mounts/s/`.length);

  type Action = 'identity' | 'list' | 'download' | 'upload' | 'mkdir' | 'delete';

  /** An API request: the real route for each action, as the web UI would call it. */
  function apiRequest(action: Action, path: string, mountName = 'team') {
    const query = `?path=${encodeURIComponent(path)}`;
    const base = `${API}/${mountName}`;
    switch (action) {
      case 'identity':
        return { url: at(`${base}/probe/identity`), method: 'GET' };
      case 'list':
        return { url: at(`${base}/items${query}`), method: 'GET' };
      case 'download':
        return { url: at(`${base}/content${query}`), method: 'GET' };
      case 'upload':
        return {
          url: at(`${base}/content${query}`),
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: 'written through a share link',
        };
      case 'mkdir':
        return {
          url: at(`${base}/mkdir`),
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ path }),
        };
      case 'delete':
        return { url: at(`${base}/items${query}&recursive=true`), method: 'DELETE' };
    }
  }

  async function answer(response: Response): Promise<{ status: number; body: any }> {
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, body: json && text !== '' ? JSON.parse(text) : text };
  }

  /** A call by someone holding only the link, the token in X-Share-Link as the UI sends it. */
  async function asHolder(
    token: string,
    action: Action,
    path: string,
    mountName = 'team',
  ): Promise<{ status: number; body: any }> {
    const { url, headers, ...init } = apiRequest(action, path, mountName);
    const response = await service.browser().request(url, {
      ...init,
      from: PAGE,
      headers: { ...headers, 'x-share-link': token },
    });
    return answer(response);
  }

  const names = (listing: { body: { entries: { name: string }[] } }) =>
    listing.body.entries.map((entry) => entry.name);

  it('lets a manager create a link to a directory, and answers with its URL', async () => {
    const before = Date.now();
    const link = await createLink('Reports/2024', 'viewer');
    expect(link).toMatchObject({
      mount: 'team',
      path: 'Reports/2024',
      target: 'directory',
      role: 'viewer',
      createdBy: { sub: 'mara', email: 'mara@example.test' },
    });
    expect(link.url).toMatch(
      /^https:\/\/drive\.example\.test\/mounts\/s\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/,
    );
    expect(tokenOf(link).startsWith(`${link.id}.`)).toBe(true);
    const expires = new Date(link.expiresAt).getTime();
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
  });

  it('lets only a manager create links, with a valid path, role and expiry', async () => {
    const editor = await login('eddie');
    const viewer = await login('vic');
    expect(
      (await create({ path: 'Reports', role: 'viewer', expiresInSeconds: 60 }, editor)).status,
    ).toBe(403);
    expect(
      (await create({ path: 'Reports', role: 'viewer', expiresInSeconds: 60 }, viewer)).status,
    ).toBe(403);
    // A manager of team has no role on a mount where nobody bound them: hidden, 404.
    const anonymous = service.browser();
    const unauthenticated = await anonymous.request(at(`${API}/team/share-links`), {
      method: 'POST',
      from: PAGE,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'Reports', role: 'viewer', expiresInSeconds: 60 }),
    });
    expect(unauthenticated.status).toBe(401);
    // The session cookie without the CSRF token.
    expect(
      (
        await create(
          { path: 'Reports', role: 'viewer', expiresInSeconds: 60 },
          { browser: manager, csrf: '' },
        )
      ).status,
    ).toBe(403);
    for (const [body, status] of [
      [{ path: 'Reports', role: 'manager', expiresInSeconds: 60 }, 400],
      [{ path: 'Reports', role: 'viewer', expiresInSeconds: 7 * 24 * 3600 + 1 }, 400],
      [{ path: 'Reports', role: 'viewer', expiresInSeconds: 0 }, 400],
      [{ path: 'Reports', role: 'viewer' }, 400],
      [{ path: '../other', role: 'viewer', expiresInSeconds: 60 }, 400],
      [{ path: '/Reports', role: 'viewer', expiresInSeconds: 60 }, 400],
      [{ path: 'Reports/../../other', role: 'viewer', expiresInSeconds: 60 }, 400],
      [{ path: 'Missing', role: 'viewer', expiresInSeconds: 60 }, 404],
    ] as const) {
      const result = await create(body);
      expect(result.status, JSON.stringify(body)).toBe(status);
      expect(result.body.error).toEqual(expect.any(String));
    }
    expect(
      (await create({ path: 'x', role: 'viewer', expiresInSeconds: 60 }, undefined, 'nope')).status,
    ).toBe(404);
  });

  it('sends a browser opening the link to the shared view, the token in the fragment and a cookie', async () => {
    const link = await createLink('Reports/2024', 'viewer');
    const token = tokenOf(link);
    const browser = service.browser();
    const response = await browser.request(link.url, { from: MAIL, navigation: true });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/mounts/team/Reports/2024/#share=${token}`);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = response.headers
      .getSetCookie()
      .find((header) => header.startsWith('__Secure-mounts-share='));
    expect(cookie).toMatch(
      /; Max-Age=(359\d|3600); Path=\/mounts\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    // A file opens on its own view.
    const file = await createLink('Public/readme.txt', 'viewer');
    const opened = await service.browser().request(file.url, { from: MAIL, navigation: true });
    expect(opened.headers.get('location')).toBe(
      `/mounts/team/Public/readme.txt#share=${tokenOf(file)}`,
    );
    // Names are encoded in the UI's URL.
    await putOnShare(samba(), 'mount/Q1 été #2/a.txt', 'x');
    const odd = await createLink('Q1 été #2', 'viewer');
    const oddOpened = await service.browser().request(odd.url, { from: MAIL, navigation: true });
    expect(oddOpened.headers.get('location')).toBe(
      `/mounts/team/Q1%20%C3%A9t%C3%A9%20%232/#share=${tokenOf(odd)}`,
    );
  });

  it('limits a directory link to its subtree: parent, sibling, root and traversal refused', async () => {
    const link = await createLink('Reports/2024', 'viewer');
    const token = tokenOf(link);
    const identity = await asHolder(token, 'identity', '');
    expect(identity.body).toEqual({
      principal: { sub: link.id, groups: [], via: 'share-link' },
      role: 'viewer',
      scope: 'Reports/2024',
    });
    const listing = await asHolder(token, 'list', 'Reports/2024');
    expect(listing.status).toBe(200);
    expect(names(listing)).toEqual(['q1.txt', 'q2.txt']);
    expect(await asHolder(token, 'download', 'Reports/2024/q1.txt')).toEqual({
      status: 200,
      body: 'content of mount/Reports/2024/q1.txt',
    });
    for (const path of [
      '',
      'Reports',
      'Reports/2025',
      'Reports/2025/q1.txt',
      'top.txt',
      'Reports/20245',
    ])
      expect((await asHolder(token, 'list', path)).status, path).toBe(404);
    for (const path of [
      'Reports/2024/../2025',
      'Reports/2024/..',
      '../Reports/2024',
      'Reports/2024/%2e%2e/2025',
      'Reports\\2025',
    ])
      expect((await asHolder(token, 'list', path)).status, path).toBe(400);
    // Another mount, even with the same path.
    expect((await asHolder(token, 'list', 'Reports/2024', 'other')).status).toBe(404);
  });

  it('limits a file link to that file', async () => {
    const link = await createLink('Public/readme.txt', 'viewer');
    expect(link.target).toBe('file');
    const token = tokenOf(link);
    expect((await asHolder(token, 'download', 'Public/readme.txt')).status).toBe(200);
    for (const path of ['Public', 'Public/other.txt', '', 'Public/readme.txt.bak'])
      expect((await asHolder(token, 'download', path)).status, path).toBe(404);
    // Below a file there is nothing: whatever the path check says, the share answers no.
    expect((await asHolder(token, 'download', 'Public/readme.txt/x')).status).not.toBe(200);
  });

  it('holds a link to its role: a viewer link cannot upload, an editor link can, inside only', async () => {
    const viewer = tokenOf(await createLink('Reports/2024', 'viewer'));
    for (const action of ['upload', 'mkdir', 'delete'] as const)
      expect((await asHolder(viewer, action, 'Reports/2024/q2.txt')).status, action).toBe(403);
    expect(await readFile(join(samba().shareDirectory, 'mount/Reports/2024/q2.txt'), 'utf8')).toBe(
      'content of mount/Reports/2024/q2.txt',
    );

    const editor = tokenOf(await createLink('Reports/2024', 'editor'));
    const uploaded = await asHolder(editor, 'upload', 'Reports/2024/new.txt');
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ path: 'Reports/2024/new.txt', type: 'file' });
    const written = await readFile(
      join(samba().shareDirectory, 'mount/Reports/2024/new.txt'),
      'utf8',
    );
    expect(written).toBe('written through a share link');
    expect((await asHolder(editor, 'upload', 'Reports/2025/new.txt')).status).toBe(404);
    expect((await asHolder(editor, 'upload', 'new.txt')).status).toBe(404);
    expect((await asHolder(editor, 'mkdir', 'Reports/2024/sub')).status).toBeLessThan(300);
    expect((await asHolder(editor, 'delete', 'Reports/2024/sub')).status).toBeLessThan(300);
    expect((await asHolder(editor, 'mkdir', 'Reports/2025/sub')).status).toBe(404);
    // An editor link never manages links.
    const created = await service.browser().request(at(`${API}/team/share-links`), {
      method: 'POST',
      from: PAGE,
      headers: { 'content-type': 'application/json', 'x-share-link': editor },
      body: JSON.stringify({ path: 'Reports/2024', role: 'editor', expiresInSeconds: 60 }),
    });
    expect(created.status).toBe(403);
  });

  it('honours the link cookie for GET only, and after a session', async () => {
    const link = await createLink('Reports/2024', 'editor');
    const browser = service.browser();
    await browser.navigate(link.url, {
      from: MAIL,
      stop: (url) => url.pathname === '/mounts/team/Reports/2024/',
    });
    const list = await browser.request(at(`${API}/team/items?path=Reports/2024`), { from: PAGE });
    expect(list.status).toBe(200);
    const download = await browser.request(at(`${API}/team/content?path=Reports/2024/q1.txt`), {
      from: PAGE,
    });
    expect(await download.text()).toBe('content of mount/Reports/2024/q1.txt');
    // An unsafe method needs the header: the cookie alone (which other sites' requests might
    // carry) is not enough.
    const { url, headers, ...init } = apiRequest('upload', 'Reports/2024/by-cookie.txt');
    const upload = await browser.request(url, { ...init, from: PAGE, headers: { ...headers } });
    expect(upload.status).toBe(401);
    // Someone logged in keeps their own role though the browser holds a link's cookie…
    const vic = await login('vic');
    await vic.browser.navigate(link.url, {
      from: MAIL,
      stop: (url) => url.pathname.startsWith('/mounts/team/Reports'),
    });
    const identity = await vic.browser.request(at(`${API}/team/probe/identity`), { from: PAGE });
    expect(await identity.json()).toMatchObject({
      principal: { sub: 'vic', via: 'session' },
      role: 'viewer',
    });
    // …and acts through the link when the UI sends it explicitly.
    const byVic = apiRequest('upload', 'Reports/2024/by-vic.txt');
    const through = await vic.browser.request(byVic.url, {
      method: byVic.method,
      body: byVic.body,
      from: PAGE,
      headers: { ...byVic.headers, 'x-share-link': tokenOf(link) },
    });
    expect(through.status).toBe(201);
  });

  it("lists the mount's links for managers, and revokes them at once", async () => {
    const link = await createLink('Public', 'viewer');
    const token = tokenOf(link);
    expect((await asHolder(token, 'list', 'Public')).status).toBe(200);
    const listing = await manager.request(at(`${API}/team/share-links`), { from: PAGE });
    expect(listing.status).toBe(200);
    const { shareLinks } = (await listing.json()) as { shareLinks: LinkBody[] };
    expect(shareLinks.find((entry) => entry.id === link.id)).toEqual(link);
    const editor = await login('eddie');
    expect(
      (await editor.browser.request(at(`${API}/team/share-links`), { from: PAGE })).status,
    ).toBe(403);

    const revoke = (id: string, mountName = 'team', csrf = managerToken) =>
      manager.request(at(`${API}/${mountName}/share-links/${id}`), {
        method: 'DELETE',
        from: PAGE,
        headers: { 'x-csrf-token': csrf },
      });
    expect((await revoke(link.id, 'team', '')).status).toBe(403);
    expect((await revoke(link.id, 'other')).status).toBe(404);
    expect((await revoke(link.id)).status).toBe(204);
    // At once, though its MAC is still valid.
    const refused = await asHolder(token, 'list', 'Public');
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/revoked/);
    expect(
      (await service.browser().request(link.url, { from: MAIL, navigation: true })).status,
    ).toBe(404);
    expect((await revoke(link.id)).status).toBe(404);
    const after = (await (
      await manager.request(at(`${API}/team/share-links`), { from: PAGE })
    ).json()) as {
      shareLinks: LinkBody[];
    };
    expect(after.shareLinks.map((entry) => entry.id)).not.toContain(link.id);
  });

  it('stops a link when it expires', async () => {
    const link = await createLink('Public', 'viewer', 1);
    const token = tokenOf(link);
    const expiresAt = new Date(link.expiresAt).getTime();
    expect((await asHolder(token, 'list', 'Public')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    expect((await asHolder(token, 'list', 'Public')).status).toBe(401);
    expect(
      (await service.browser().request(link.url, { from: MAIL, navigation: true })).status,
    ).toBe(404);
    const listing = (await (
      await manager.request(at(`${API}/team/share-links`), { from: PAGE })
    ).json()) as {
      shareLinks: LinkBody[];
    };
    expect(listing.shareLinks.map((entry) => entry.id)).not.toContain(link.id);
  });

  it('refuses a forged token, and a record widened in Redis', async () => {
    const link = await createLink('Reports/2024', 'viewer');
    const token = tokenOf(link);
    const [id = '', mac = ''] = token.split('.');
    const forgedTokens = [
      `${id}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
      `${'A'.repeat(22)}.${mac}`,
      `${id}.${'A'.repeat(43)}`,
      id,
      `${token}x`,
      'not-a-token',
    ];
    for (const forged of forgedTokens) {
      expect((await asHolder(forged, 'list', 'Reports/2024')).status, forged).toBe(401);
      const opened = await service
        .browser()
        .request(at(`/mounts/s/${encodeURIComponent(forged)}`), {
          from: MAIL,
          navigation: true,
        });
      expect(opened.status, forged).toBe(404);
    }
    // Someone with write access to Redis widens the link to the whole mount: the MAC no longer
    // matches the record, and the link stops.
    const key = `smb-mount:share-link:${link.id}`;
    const record = JSON.parse((await service.context.redis.client.get(key)) ?? '{}') as Record<
      string,
      unknown
    >;
    await service.context.redis.client.set(key, JSON.stringify({ ...record, path: '' }), 'KEEPTTL');
    expect((await asHolder(token, 'list', '')).status).toBe(401);
    expect((await asHolder(token, 'list', 'Reports/2024')).status).toBe(401);
  });

  it("documents the sessions' and share links' routes in a valid OpenAPI document", async () => {
    const response = await service.browser().request(at('/mounts/api/openapi.json'));
    const document = (await response.json()) as { openapi: string; paths: Record<string, object> };
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths))
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path}`);
    const ours = service.routes
      .filter((route) => /^\/mounts\/(auth\/|s\/|api\/v1\/m\/:mount\/share-links)/.test(route.url))
      .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(ours).toHaveLength(8);
    for (const route of ours) expect(documented, route).toContain(route);
  });
});

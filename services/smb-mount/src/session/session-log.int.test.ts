// The service as it runs (main.ts in its own process, its extensions as shipped, LOG_LEVEL info):
// a login, a share link created, opened, used and revoked, a logout; then its log is read for
// every secret the scenario handled. None may be there.
import { afterAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-support/browser.js';
import { putOnShare, startSamba } from '../test-support/samba-share.js';
import {
  serviceDirectory,
  startServiceProcess,
  type ServiceProcess,
} from '../test-support/service-process.js';
import {
  driveClient,
  newSecret,
  oidcSettings,
  PUBLIC_URL,
  sessionEnv,
  startOidcProvider,
  startRedis,
  useServer,
} from '../test-support/session-service.js';

const CLIENT = { id: 'drive', secret: newSecret() };
const at = (path: string) => new URL(path, PUBLIC_URL);
const PAGE = at('/mounts/team/');

describe('the running service logs no secret of sessions and share links', () => {
  const idp = useServer(() => startOidcProvider({ clients: [driveClient(CLIENT.secret)] }));
  const redis = useServer(() => startRedis());
  const samba = useServer(() => startSamba('default'));
  let service: ServiceProcess | undefined;
  let directory: Awaited<ReturnType<typeof serviceDirectory>> | undefined;

  afterAll(async () => {
    await service?.process.stop();
    await directory?.remove();
  });

  it('handles a login, a share link and a logout without writing any of their secrets', async () => {
    await putOnShare(samba(), 'mount/Reports/q1.txt', 'q1');
    const env = sessionEnv({
      oidc: await oidcSettings(idp().issuer, CLIENT),
      redisUrl: redis().url,
      mounts: [
        {
          name: 'team',
          host: samba().host,
          port: samba().port,
          share: samba().share,
          path: '/mount',
          username: samba().user,
          password: samba().password,
          roles: [{ subject: { email: 'mara@example.test' }, role: 'manager' }],
        },
      ],
    });
    directory = await serviceDirectory();
    service = await startServiceProcess(env, directory.path);
    const secrets: string[] = [
      CLIENT.secret,
      env.SESSION_SECRET ?? '',
      env.SHARE_LINK_SECRET ?? '',
      samba().password,
    ];
    const browser = new TestBrowser({ [PUBLIC_URL]: service.origin });

    const { url: callback } = await browser.navigate(
      at('/mounts/auth/login?returnTo=/mounts/team/'),
      {
        login: { name: 'mara' },
        stop: (url) => url.pathname === '/mounts/auth/callback',
      },
    );
    secrets.push(callback.searchParams.get('code') ?? '', callback.searchParams.get('state') ?? '');
    await browser.navigate(callback, {
      from: new URL(idp().issuer),
      stop: (url) => url.pathname === '/mounts/team/',
    });
    const cookie = (await browser.jar.getCookies(at('/mounts/'))).find(
      (entry) => entry.key === '__Secure-mounts-session',
    );
    const signed = decodeURIComponent(cookie?.value ?? '');
    secrets.push(signed, signed.slice(0, signed.lastIndexOf('.')));
    const { csrfToken } = (await (await browser.request(at('/mounts/auth/session'))).json()) as {
      csrfToken: string;
    };
    secrets.push(csrfToken);

    const created = await browser.request(at('/mounts/api/v1/m/team/share-links'), {
      method: 'POST',
      from: PAGE,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body: JSON.stringify({ path: 'Reports', role: 'viewer', expiresInSeconds: 600 }),
    });
    expect(created.status).toBe(201);
    const link = (await created.json()) as { id: string; url: string };
    const token = link.url.split('/mounts/s/')[1] ?? '';
    secrets.push(token, token.split('.')[1] ?? '');

    const holder = new TestBrowser({ [PUBLIC_URL]: service.origin });
    const opened = await holder.request(link.url, {
      from: new URL('https://mail.example/'),
      navigation: true,
    });
    expect(opened.status).toBe(303);
    const listed = await holder.request(at('/mounts/api/v1/m/team/items?path=Reports'), {
      from: PAGE,
      headers: { 'x-share-link': token },
    });
    expect(listed.status).toBe(200);
    const byCookie = await holder.request(at('/mounts/api/v1/m/team/content?path=Reports/q1.txt'), {
      from: PAGE,
    });
    expect(await byCookie.text()).toBe('q1');
    const revoked = await browser.request(at(`/mounts/api/v1/m/team/share-links/${link.id}`), {
      method: 'DELETE',
      from: PAGE,
      headers: { 'x-csrf-token': csrfToken },
    });
    expect(revoked.status).toBe(204);
    const refused = await holder.request(at('/mounts/api/v1/m/team/items?path=Reports'), {
      from: PAGE,
      headers: { 'x-share-link': token },
    });
    expect(refused.status).toBe(401);

    const logout = await browser.request(at('/mounts/auth/logout'), {
      method: 'POST',
      from: PAGE,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(logout.status).toBe(303);
    secrets.push(
      new URL(logout.headers.get('location') ?? '').searchParams.get('id_token_hint') ?? '',
    );

    const log = await service.log();
    for (const line of [
      'login completed',
      'share link created',
      'share link opened',
      'share link revoked',
    ])
      expect(log).toContain(line);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThanOrEqual(16);
      expect(log).not.toContain(secret);
    }
  });
});

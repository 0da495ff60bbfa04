// The web UI's login against the test bed's Keycloak, with Drive's client as the operator
// renders it for Compose (confidential, client_secret_post accepted, PKCE S256, the mounts'
// callback and logout URIs) plus a group mapper: what the test IdP cannot show (refresh tokens,
// Keycloak's group paths, its logout without a confirmation page).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealmWithClientManager,
  fetchToken,
  startKeycloak,
  type KeycloakRealm,
} from '../../../../operator/src/testbed/keycloak.js';
import type { TestBrowser } from '../test-support/browser.js';
import {
  oidcSettings,
  PUBLIC_URL,
  startRedis,
  sessionEnv,
  startService,
  unreachableMount,
  useServer,
  type RunningService,
} from '../test-support/session-service.js';
import { sessionKeys } from './keys.js';
import { sessionKey, SessionStore } from './session-store.js';

const at = (path: string) => new URL(path, PUBLIC_URL);
const CLIENT = { id: 'drive', secret: randomBytes(24).toString('hex') };
const MOUNT = unreachableMount([{ subject: { group: 'staff' }, role: 'editor' }]);

describe('web UI login (Keycloak)', () => {
  const keycloak = useServer(() => startKeycloak());
  const redis = useServer(() => startRedis());
  let realm: KeycloakRealm;
  let service: RunningService;

  beforeAll(async () => {
    const kc = keycloak();
    realm = await createRealmWithClientManager(kc, 'drive');
    const token = await fetchToken(`${kc.url}/realms/master`, {
      grant_type: 'password',
      client_id: 'admin-cli',
      username: kc.adminUsername,
      password: kc.adminPassword,
    });
    const admin = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${kc.url}/admin/realms/drive${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${String(response.status)}`);
      return response;
    };
    await admin('POST', '/clients', {
      clientId: CLIENT.id,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      secret: CLIENT.secret,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      redirectUris: [`${PUBLIC_URL}/api/v1.0/callback/`, `${PUBLIC_URL}/mounts/auth/callback`],
      attributes: {
        'post.logout.redirect.uris': [
          `${PUBLIC_URL}/api/v1.0/logout-callback/`,
          `${PUBLIC_URL}/mounts/`,
        ].join('##'),
        'pkce.code.challenge.method': 'S256',
      },
      protocolMappers: [
        {
          name: 'groups',
          protocol: 'openid-connect',
          protocolMapper: 'oidc-group-membership-mapper',
          config: {
            'claim.name': 'groups',
            'full.path': 'true',
            'id.token.claim': 'true',
            'access.token.claim': 'true',
            'userinfo.token.claim': 'true',
          },
        },
      ],
    });
    await admin('POST', '/groups', { name: 'staff' });
    const [group] = (await (await admin('GET', '/groups?search=staff')).json()) as { id: string }[];
    const [user] = (await (
      await admin('GET', `/users?username=${realm.username}&exact=true`)
    ).json()) as { id: string }[];
    await admin('PUT', `/users/${user?.id ?? ''}/groups/${group?.id ?? ''}`);
    service = await startService(
      sessionEnv({
        oidc: await oidcSettings(realm.issuer, CLIENT),
        redisUrl: redis().url,
        mounts: [MOUNT],
      }),
    );
  });
  afterAll(async () => {
    await service.stop();
  });

  async function sessionId(browser: TestBrowser): Promise<string> {
    const cookies = await browser.jar.getCookies(at('/mounts/'));
    const value = cookies.find((cookie) => cookie.key === '__Secure-mounts-session')?.value ?? '';
    const signed = decodeURIComponent(value);
    return signed.slice(0, signed.lastIndexOf('.'));
  }

  it('logs a Keycloak user in, groups by path, the refresh token kept encrypted, and out again', async () => {
    const browser = service.browser();
    const { url, response } = await browser.navigate(
      at('/mounts/auth/login?returnTo=/mounts/team/'),
      {
        login: { name: realm.username, password: realm.password },
        stop: (next) => next.href === `${PUBLIC_URL}/mounts/team/`,
      },
    );
    expect(url.href).toBe(`${PUBLIC_URL}/mounts/team/`);
    expect(response.status).toBe(303);

    const identity = await browser.request(at('/mounts/api/v1/m/team/probe/identity'));
    expect(identity.status).toBe(200);
    expect(await identity.json()).toMatchObject({
      principal: {
        sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'alice@example.com',
        groups: ['/staff', 'staff'],
        via: 'session',
      },
      role: 'editor',
    });
    const session = (await (await browser.request(at('/mounts/auth/session'))).json()) as {
      user: { name: string };
    };
    expect(session.user.name).toBe('Alice Test');

    const id = await sessionId(browser);
    const raw = (await service.context.redis.client.get(sessionKey(id))) ?? '';
    const store = new SessionStore(
      service.context.redis.client,
      sessionKeys(service.sessionSecret).tokenEncryption,
      { idleTimeoutSeconds: 60, absoluteTimeoutSeconds: 60 },
    );
    const stored = await store.get(id);
    expect(stored?.refreshToken?.split('.')).toHaveLength(3);
    expect(raw).not.toContain(stored?.refreshToken ?? 'none');
    expect(raw).not.toContain(stored?.idToken ?? 'none');

    const logout = await browser.request(at('/mounts/auth/logout'), {
      method: 'POST',
      from: at('/mounts/team/'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(logout.status).toBe(303);
    const endSession = new URL(logout.headers.get('location') ?? '');
    expect(endSession.href.startsWith(`${realm.issuer}/protocol/openid-connect/logout?`)).toBe(
      true,
    );
    // With the hint and a registered URI, Keycloak ends its session and comes straight back.
    const back = await browser.navigate(endSession, {
      from: at('/mounts/team/'),
      stop: (next) => next.origin === PUBLIC_URL,
    });
    expect(back.url.href).toBe(`${PUBLIC_URL}/mounts/`);
    expect(await service.context.redis.client.exists(sessionKey(id))).toBe(0);
    // Keycloak asks for the password again.
    const again = await browser.navigate(at('/mounts/auth/login'), {
      stop: (next) => next.origin === PUBLIC_URL,
    });
    expect(await again.response.text()).toContain('id="kc-form-login"');
  });
});

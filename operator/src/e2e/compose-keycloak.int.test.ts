// The dev identity of a rendered Compose project, run as rendered: real Keycloak (start-dev with
// the rendered command, environment, realm file and data volume) behind the real nginx edge, in
// the emulated Compose network. Every URL comes from Drive's rendered environment: the browser's
// through the edge as https://auth.dev.lan, the backend's direct to keycloak:8080.
// Keycloak's first start-dev rebuilds itself: about a minute on two cores, seconds after that.
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as client from 'openid-client';
import { fetch as undiciFetch, type Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import {
  composeFixture,
  runComposeServices,
  type ComposeFixture,
  type RunningProject,
} from '../test-support/compose-run.js';

const DEV = join(REPO_ROOT, 'examples/compose/dev');
const PUBLIC_HOSTS = new Set(['auth.dev.lan', 'drive.dev.lan']);
const KEYCLOAK_INTERNAL = 'keycloak:8080';
const CALLBACK = 'https://drive.dev.lan/api/v1.0/callback/';
const TEST_USER = 'drive';
const FIRST_START_MS = 300_000;

describe('Compose Keycloak: the dev realm behind the nginx edge, as rendered', () => {
  let fixture: ComposeFixture;
  let running: RunningProject;
  /** Drive's environment, as the backend service gets it. */
  let drive: Record<string, string>;
  let edge: Agent;
  let direct: Agent;

  /**
   * fetch as Drive's containers and a browser reach the project: public names through the edge,
   * keycloak:8080 direct. Any other URL fails, so no redirect is ever followed off the machine.
   */
  const inside = (url: string | URL, init: RequestInit = {}) => {
    const target = new URL(url);
    let dispatcher: Agent;
    if (target.protocol === 'https:' && PUBLIC_HOSTS.has(target.host)) dispatcher = edge;
    else if (target.protocol === 'http:' && target.host === KEYCLOAK_INTERNAL) dispatcher = direct;
    else throw new Error(`${target.href} is not a URL of the project`);
    return undiciFetch(target, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      redirect: 'manual',
      dispatcher,
    }) as unknown as Promise<Response>;
  };

  const logTail = (lines = 60) =>
    running.namespace.logs('keycloak').split('\n').slice(-lines).join('\n');

  /** The rendered healthcheck, under bash, which is the image's /bin/sh. */
  const waitHealthy = async (timeoutMs: number) => {
    const test = running.project.services.keycloak?.healthcheck?.test ?? [];
    expect(test[0]).toBe('CMD-SHELL');
    let exited: number | null | undefined;
    void running.namespace.exited('keycloak').then((code) => (exited = code));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && exited === undefined) {
      const probe = await running.namespace.exec({
        argv: ['bash', '--posix', '-c', test[1] ?? 'false'],
        timeoutMs: 5000,
      });
      if (probe.code === 0) return;
      await sleep(1000);
    }
    const why = exited === undefined ? 'is not healthy in time' : `exited (${String(exited)})`;
    throw new Error(`keycloak ${why}; log tail:\n${logTail()}`);
  };

  const startKeycloak = async () => {
    await running.start('keycloak');
    await waitHealthy(FIRST_START_MS);
  };

  beforeAll(async () => {
    fixture = await composeFixture([DEV], { certificate: true });
    const project = await fixture.load();
    drive = Object.fromEntries(
      Object.entries(project.services.backend?.environment ?? {}).map(([name, value]) => [
        name,
        value ?? '',
      ]),
    );
    running = await runComposeServices(project, {
      inside: ['keycloak', 'edge'],
      expose: [
        { service: 'edge', port: 443 },
        { service: 'keycloak', port: 8080 },
      ],
    });
    const ca = await readFile(join(fixture.directory, 'certs/tls.crt'));
    edge = running.namespace.dispatcher('edge', 443, { ca });
    direct = running.namespace.dispatcher('keycloak', 8080);
    // nginx resolves every upstream name at start; the namespace names every service.
    await running.start('edge');
    await running.namespace.waitTcp('edge', 443, 30_000);
    await startKeycloak();
  }, FIRST_START_MS + 60_000);
  afterAll(async () => {
    await running.stop();
    await fixture.remove();
  });

  const env = (name: string): string => {
    const value = drive[name] ?? fixture.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };

  const adminToken = async (password = env('KEYCLOAK_ADMIN__PASSWORD')) =>
    inside(`http://${KEYCLOAK_INTERNAL}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: 'admin',
        password,
      }),
    });

  const admin = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const token = ((await (await adminToken()).json()) as { access_token: string }).access_token;
    const response = await inside(`http://${KEYCLOAK_INTERNAL}/admin/realms/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    if (!response.ok) throw new Error(`admin ${path}: ${String(response.status)}`);
    return (
      response.status === 204 || response.status === 201 ? undefined : await response.json()
    ) as T;
  };

  /** Drive's OIDC configuration: mozilla-django-oidc takes the endpoints from its environment. */
  const driveClient = () => {
    const config = new client.Configuration(
      {
        issuer: env('OIDC_OP_URL'),
        authorization_endpoint: env('OIDC_OP_AUTHORIZATION_ENDPOINT'),
        token_endpoint: env('OIDC_OP_TOKEN_ENDPOINT'),
        userinfo_endpoint: env('OIDC_OP_USER_ENDPOINT'),
        jwks_uri: env('OIDC_OP_JWKS_ENDPOINT'),
      },
      env('OIDC_RP_CLIENT_ID'),
      undefined,
      client.ClientSecretPost(env('DRIVE_LOGIN_OIDC_CREDENTIALS__CLIENT_SECRET')),
    );
    config[client.customFetch] = (url, options) => inside(url, options);
    // The backend calls Keycloak over the project network in plain HTTP, as Drive's env says.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    client.allowInsecureRequests(config);
    return config;
  };

  /** A browser at the login page: answers the form with the test user; returns the callback. */
  const browserLogin = async (authorization: URL, password: string): Promise<URL> => {
    const page = await inside(authorization);
    expect(page.status, await page.clone().text()).toBe(200);
    const cookie = page.headers
      .getSetCookie()
      .map((header) => header.split(';')[0])
      .join('; ');
    const html = await page.text();
    const action = /<form[^>]*id="kc-form-login"[^>]*\baction="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no login form in:\n${html.slice(0, 2000)}`);
    // The browser stays on the public name: Keycloak builds its URLs from --hostname.
    expect(action.startsWith(`${env('OIDC_OP_URL')}/login-actions/authenticate?`), action).toBe(
      true,
    );
    const posted = await inside(action.replaceAll('&amp;', '&'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: TEST_USER, password, credentialId: '' }),
    });
    const location = posted.headers.get('location');
    if (posted.status !== 302 || !location)
      throw new Error(`login answered ${String(posted.status)}:\n${await posted.text()}`);
    return new URL(location);
  };

  /** Authorization code + PKCE as Drive runs it, up to the ID token and the user info. */
  const driveLogin = async () => {
    const config = driveClient();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorization = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: env('OIDC_RP_SCOPES'),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await browserLogin(authorization, env('KEYCLOAK_TEST_USER__PASSWORD'));
    expect(callback.href.startsWith(`${CALLBACK}?`), callback.href).toBe(true);
    expect(callback.searchParams.get('state')).toBe(state);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('no ID token');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    return { idToken: tokens.id_token, claims, userinfo };
  };

  /** Verifies a JWS as Drive does: the key of its kid from the JWKS endpoint, Drive's algorithm. */
  const verifiedWithJwks = async (jwt: string): Promise<boolean> => {
    const [header = '', payload = '', signature = ''] = jwt.split('.');
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as {
      kid: string;
      alg: string;
    };
    expect(alg).toBe(env('OIDC_RP_SIGN_ALGO'));
    const jwks = (await (await inside(env('OIDC_OP_JWKS_ENDPOINT'))).json()) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    const jwk = jwks.keys.find((key) => key.kid === kid);
    if (!jwk) throw new Error(`the JWKS has no key ${kid}`);
    return verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(signature, 'base64url'),
    );
  };

  it('imported the realm from the rendered file, its placeholders resolved from the env', async () => {
    const response = await inside(
      'https://auth.dev.lan/realms/drive/.well-known/openid-configuration',
    );
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, string>;
    expect(discovery.issuer).toBe('https://auth.dev.lan/realms/drive');
    expect(discovery.issuer).toBe(env('OIDC_OP_URL'));
    expect(discovery.authorization_endpoint).toBe(env('OIDC_OP_AUTHORIZATION_ENDPOINT'));
    expect(discovery.end_session_endpoint).toBe(env('OIDC_OP_LOGOUT_ENDPOINT'));

    const [registered] = await admin<{ id: string }[]>(
      `drive/clients?clientId=${env('OIDC_RP_CLIENT_ID')}`,
    );
    const secret = await admin<{ value: string }>(`drive/clients/${registered!.id}/client-secret`);
    expect(secret.value).toBe(env('DRIVE_LOGIN_OIDC_CREDENTIALS__CLIENT_SECRET'));
  });

  it('logs the test user in as Drive does: code + PKCE, tokens and user info direct', async () => {
    const { idToken, claims, userinfo } = await driveLogin();
    expect(claims.iss).toBe('https://auth.dev.lan/realms/drive');
    expect(claims.aud).toBe(env('OIDC_RP_CLIENT_ID'));
    expect(userinfo.email).toBe('drive@drive.dev.lan');
    expect(userinfo.preferred_username).toBe(TEST_USER);
    // Drive's OIDC_USERINFO_FULLNAME_FIELDS.
    expect([userinfo.given_name, userinfo.family_name]).toEqual(['Drive', 'Developer']);

    expect(await verifiedWithJwks(idToken)).toBe(true);
    const [header, payload = '', signature] = idToken.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload, 'base64url').toString()),
        email: 'someone@else',
      }),
    ).toString('base64url');
    expect(await verifiedWithJwks(`${header ?? ''}.${forged}.${signature ?? ''}`)).toBe(false);
  });

  it('refuses a redirect URI the client does not register, and a request without PKCE', async () => {
    const authorize = (parameters: Record<string, string>) =>
      inside(
        `${env('OIDC_OP_AUTHORIZATION_ENDPOINT')}?${new URLSearchParams({
          client_id: env('OIDC_RP_CLIENT_ID'),
          response_type: 'code',
          scope: env('OIDC_RP_SCOPES'),
          state: 'state',
          nonce: 'nonce',
          ...parameters,
        }).toString()}`,
      );
    const challenge = createHash('sha256').update('a verifier').digest('base64url');
    for (const redirectUri of [
      'https://evil.example.test/cb',
      'https://drive.dev.lan.evil.example.test/api/v1.0/callback/',
      'https://drive.dev.lan/api/v1.0/callback/../../evil',
    ]) {
      const refused = await authorize({
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      expect(refused.status, redirectUri).toBe(400);
      expect(refused.headers.get('location'), redirectUri).toBeNull();
      expect(await refused.text()).toContain('Invalid parameter: redirect_uri');
    }
    // The realm's client requires S256 (pkce.code.challenge.method): Drive sends it.
    const withoutPkce = await authorize({ redirect_uri: CALLBACK });
    const error = new URL(withoutPkce.headers.get('location') ?? '', CALLBACK);
    expect(error.searchParams.get('error')).toBe('invalid_request');
    expect(error.searchParams.get('code')).toBeNull();
  });

  it('gives the admin console the generated password, and only that one', async () => {
    const granted = await adminToken();
    expect(granted.status).toBe(200);
    expect(((await granted.json()) as { access_token?: string }).access_token).toBeTruthy();
    const refused = await adminToken('admin');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    });
  });

  it(
    'starts again on its data volume: the realm and its changes are kept, the import skipped',
    async () => {
      await admin('drive/users', {
        method: 'POST',
        body: JSON.stringify({ username: 'kept-across-restarts', enabled: true }),
      });
      const before = running.namespace.logs('keycloak').length;
      await running.namespace.kill('keycloak');
      await running.namespace.exited('keycloak');
      await startKeycloak();
      const secondStart = running.namespace.logs('keycloak').slice(before);
      expect(secondStart).not.toMatch(/\bERROR\b/);
      expect(secondStart).toContain("Realm 'drive' already exists. Import skipped");

      const kept = await admin<{ username: string }[]>(
        'drive/users?username=kept-across-restarts&exact=true',
      );
      expect(kept.map((user) => user.username)).toEqual(['kept-across-restarts']);
      const { claims } = await driveLogin();
      expect(claims.iss).toBe('https://auth.dev.lan/realms/drive');
    },
    FIRST_START_MS + 60_000,
  );
});

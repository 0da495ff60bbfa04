// The web UI's login against the test bed's IdP (oidc-provider) and Redis, driven like a browser:
// redirects, the IdP's login form, cookies kept by an RFC 6265 jar under the public https origin.
import { performance } from 'node:perf_hooks';
import type { Cookie } from 'tough-cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../operator/src/testbed/processes.js';
import type { TestBrowser } from '../test-support/browser.js';
import { OPEN_REDIRECTS } from '../test-support/open-redirects.js';
import {
  driveClient,
  newSecret,
  oidcSettings,
  PUBLIC_URL,
  startOidcProvider,
  startRedis,
  sessionEnv,
  startService,
  unreachableMount,
  useServer,
  type RunningService,
} from '../test-support/session-service.js';
import { CookieSigner } from './cookies.js';
import { sessionKeys } from './keys.js';
import {
  decodeTransaction,
  encodeTransaction,
  type LoginTransaction,
} from './login-transaction.js';
import { sessionKey, SessionStore } from './session-store.js';

const CLIENT = { id: 'drive', secret: newSecret() };
// No SMB request is made here: the probe stops at authentication.
const MOUNT = unreachableMount([
  { subject: { group: 'staff' }, role: 'editor' },
  { subject: { email: 'mara@example.test' }, role: 'manager' },
]);

const at = (path: string) => new URL(path, PUBLIC_URL);
const isCallback = (url: URL) => url.href.startsWith(`${PUBLIC_URL}/mounts/auth/callback`);

async function sessionCookie(browser: TestBrowser): Promise<Cookie | undefined> {
  const cookies = await browser.jar.getCookies(at('/mounts/'));
  return cookies.find((cookie) => cookie.key === '__Secure-mounts-session');
}

async function loginCookies(browser: TestBrowser): Promise<Cookie[]> {
  const cookies = await browser.jar.getCookies(at('/mounts/auth/callback'));
  return cookies.filter((cookie) => cookie.key.startsWith('__Secure-mounts-login-'));
}

describe('web UI login (test IdP, Redis)', () => {
  const idp = useServer(() =>
    startOidcProvider({
      clients: [driveClient(CLIENT.secret)],
      groups: { carol: ['/staff', 'readers'] },
      ownSigningKey: true,
    }),
  );
  const otherIdp = useServer(() => startOidcProvider({ ownSigningKey: true }));
  const redis = useServer(() => startRedis());
  let service: RunningService;
  const timings: string[] = [];

  beforeAll(async () => {
    service = await startService(
      sessionEnv({
        oidc: await oidcSettings(idp().issuer, CLIENT),
        redisUrl: redis().url,
        mounts: [MOUNT],
      }),
    );
  });
  afterAll(async () => {
    await service.stop();
    process.stdout.write(`${timings.map((line) => `[smb-mount session] ${line}`).join('\n')}\n`);
  });

  /** Logs `name` in, starting from the login URL; returns the browser and where it landed. */
  async function login(
    name: string,
    returnTo = '/mounts/team/',
    target: RunningService = service,
  ): Promise<{ browser: TestBrowser; landed: URL; status: number }> {
    const browser = target.browser();
    const started = performance.now();
    const { url, response } = await browser.navigate(
      at(`/mounts/auth/login?returnTo=${encodeURIComponent(returnTo)}`),
      {
        login: { name },
        stop: (next) => next.origin === PUBLIC_URL && !next.pathname.startsWith('/mounts/auth/'),
      },
    );
    timings.push(`login of ${name}: ${(performance.now() - started).toFixed(0)} ms`);
    return { browser, landed: url, status: response.status };
  }

  /** Runs a login up to the IdP's redirect to the callback, which is not followed. */
  async function upToCallback(name: string): Promise<{ browser: TestBrowser; callback: URL }> {
    const browser = service.browser();
    const { url } = await browser.navigate(at('/mounts/auth/login?returnTo=/mounts/team/'), {
      login: { name },
      stop: isCallback,
    });
    expect(isCallback(url)).toBe(true);
    return { browser, callback: url };
  }

  async function identity(
    browser: TestBrowser,
    init: { method?: string; headers?: Record<string, string> } = {},
  ) {
    const response = await browser.request(at('/mounts/api/v1/m/team/probe/identity'), {
      ...init,
      from: at('/mounts/team/'),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  async function csrfToken(browser: TestBrowser): Promise<string> {
    const response = await browser.request(at('/mounts/auth/session'), {
      from: at('/mounts/team/'),
    });
    const body = (await response.json()) as { csrfToken: string };
    return body.csrfToken;
  }

  async function sessionIdOf(browser: TestBrowser): Promise<string> {
    const cookie = await sessionCookie(browser);
    const value = decodeURIComponent(cookie?.value ?? '');
    return value.slice(0, value.lastIndexOf('.'));
  }

  it('redirects to the IdP with PKCE (S256), state and nonce, the transaction in a scoped cookie', async () => {
    const browser = service.browser();
    const response = await browser.request(at('/mounts/auth/login?returnTo=/mounts/team/Reports/'));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(`${idp().issuer}/auth`);
    const query = Object.fromEntries(location.searchParams);
    expect(query).toMatchObject({
      client_id: 'drive',
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: `${PUBLIC_URL}/mounts/auth/callback`,
      code_challenge_method: 'S256',
    });
    expect(query.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const setCookie = response.headers.getSetCookie();
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(
      /^__Secure-mounts-login-[A-Za-z0-9_-]{16}=[^;]+; Max-Age=600; Path=\/mounts\/auth\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The verifier travels only in the signed cookie: never to the IdP, never in the URL.
    const [cookie] = await loginCookies(browser);
    const signer = new CookieSigner(sessionKeys(service.sessionSecret).cookieSigning);
    const transaction = decodeTransaction(
      signer,
      decodeURIComponent(cookie?.value ?? ''),
      Date.now(),
    );
    expect(transaction).toMatchObject({
      state: query.state,
      nonce: query.nonce,
      returnTo: '/mounts/team/Reports/',
    });
    expect(location.href).not.toContain(transaction?.codeVerifier);
    // Not sent outside /mounts/auth/.
    expect(await browser.jar.getCookieString(at('/mounts/team/'))).toBe('');
  });

  it('logs a user in like a browser: session cookie → identity with email and groups', async () => {
    const { browser, landed, status } = await login('carol', '/mounts/team/Reports/?sort=name');
    expect(landed.href).toBe(`${PUBLIC_URL}/mounts/team/Reports/?sort=name`);
    expect(status).toBe(303);
    const cookie = await sessionCookie(browser);
    expect(cookie).toMatchObject({
      path: '/mounts/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      maxAge: 12 * 3600,
    });
    expect(decodeURIComponent(cookie?.value ?? '')).toMatch(
      /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/]{43}$/,
    );
    // The login's own cookie is spent.
    expect(await loginCookies(browser)).toEqual([]);
    await sessionIdOf(browser);

    const { status: probed, body } = await identity(browser);
    expect(probed).toBe(200);
    expect(body).toEqual({
      principal: {
        sub: 'carol',
        email: 'carol@example.test',
        groups: ['/staff', 'staff', 'readers'],
        via: 'session',
      },
      role: 'editor',
      scope: null,
    });
    const session = await browser.request(at('/mounts/auth/session'));
    expect(session.headers.get('cache-control')).toBe('no-store');
    expect(await session.json()).toMatchObject({
      authenticated: true,
      user: {
        sub: 'carol',
        email: 'carol@example.test',
        name: 'carol',
        groups: ['/staff', 'staff', 'readers'],
      },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('keeps the session in Redis under a hash of its id, the ID token encrypted', async () => {
    const { browser } = await login('mara');
    const id = await sessionIdOf(browser);
    const stored = await service.context.redis.client.get(sessionKey(id));
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(id);
    const record = JSON.parse(stored ?? '{}') as Record<string, any>;
    expect(record.user).toEqual({
      sub: 'mara',
      email: 'mara@example.test',
      name: 'mara',
      groups: [],
    });
    expect(record.idToken).toEqual(expect.any(String));
    // A JWT would start with eyJ ({"); this is AES-GCM output.
    expect(record.idToken).not.toMatch(/^eyJ/);
    const ttl = await service.context.redis.client.pttl(sessionKey(id));
    expect(ttl).toBeGreaterThan(2 * 3600 * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(2 * 3600 * 1000);
    expect((await identity(browser)).body.role).toBe('manager');
  });

  it('refuses a callback whose state was changed', async () => {
    const { browser, callback } = await upToCallback('carol');
    const altered = new URL(callback);
    altered.searchParams.set('state', `${callback.searchParams.get('state') ?? ''}x`);
    const response = await browser.request(altered, {
      from: new URL(idp().issuer),
      navigation: true,
    });
    expect(response.status).toBe(400);
    expect(await sessionCookie(browser)).toBeUndefined();
  });

  it('refuses a callback whose transaction cookie was altered, or missing', async () => {
    const { browser, callback } = await upToCallback('carol');
    const [cookie] = await loginCookies(browser);
    if (cookie === undefined) throw new Error('no login cookie');
    const value = decodeURIComponent(cookie.value);
    const payload = JSON.parse(
      Buffer.from(value.split('.')[0] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    payload.returnTo = '/mounts/elsewhere/';
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${value.split('.')[1] ?? ''}`;
    await browser.jar.setCookie(
      `${cookie.key}=${encodeURIComponent(forged)}; Path=/mounts/auth/; Secure; HttpOnly`,
      at('/mounts/auth/'),
    );
    const response = await browser.request(callback, {
      from: new URL(idp().issuer),
      navigation: true,
    });
    expect(response.status).toBe(400);
    expect(await sessionCookie(browser)).toBeUndefined();

    // Another browser (no transaction cookie at all) cannot finish this login either.
    const other = service.browser();
    expect(
      (await other.request(callback, { from: new URL(idp().issuer), navigation: true })).status,
    ).toBe(400);
  });

  /**
   * Two logins up to their callbacks, and a transaction cookie for the second made (with the
   * service's own secret, as only a forger holding it could) from parts of both.
   */
  async function mixedLogin(mix: (a: LoginTransaction, b: LoginTransaction) => LoginTransaction) {
    const signer = new CookieSigner(sessionKeys(service.sessionSecret).cookieSigning);
    const read = async (browser: TestBrowser) => {
      const [cookie] = await loginCookies(browser);
      const transaction = decodeTransaction(
        signer,
        decodeURIComponent(cookie?.value ?? ''),
        Date.now(),
      );
      if (cookie === undefined || transaction === undefined) throw new Error('no transaction');
      return { cookie, transaction };
    };
    const first = await upToCallback('carol');
    const second = await upToCallback('carol');
    const a = await read(first.browser);
    const b = await read(second.browser);
    const mixed = encodeTransaction(signer, mix(a.transaction, b.transaction));
    await second.browser.jar.setCookie(
      `${b.cookie.key}=${encodeURIComponent(mixed)}; Path=/mounts/auth/; Secure; HttpOnly`,
      at('/mounts/auth/'),
    );
    const response = await second.browser.request(second.callback, {
      from: new URL(idp().issuer),
      navigation: true,
    });
    return { status: response.status, cookie: await sessionCookie(second.browser) };
  }

  it("refuses an ID token whose nonce is another login's", async () => {
    const result = await mixedLogin((a, b) => ({ ...b, nonce: a.nonce }));
    expect(result.status).toBe(400);
    expect(result.cookie).toBeUndefined();
  });

  it("refuses the code with another login's PKCE verifier", async () => {
    const result = await mixedLogin((a, b) => ({ ...b, codeVerifier: a.codeVerifier }));
    expect(result.status).toBe(400);
    expect(result.cookie).toBeUndefined();
  });

  it('refuses an expired login, and the same login again once completed', async () => {
    const expired = await mixedLogin((_a, b) => ({ ...b, expiresAt: Date.now() - 1 }));
    expect(expired.status).toBe(400);

    const { browser, callback } = await upToCallback('carol');
    const [cookie] = await loginCookies(browser);
    const first = await browser.request(callback, {
      from: new URL(idp().issuer),
      navigation: true,
    });
    expect(first.status).toBe(303);
    // Replayed with its transaction cookie put back: the IdP refuses a code used once.
    if (cookie === undefined) throw new Error('no login cookie');
    await browser.jar.setCookie(cookie.toString(), at('/mounts/auth/'));
    const replay = await browser.request(callback, {
      from: new URL(idp().issuer),
      navigation: true,
    });
    expect(replay.status).toBe(400);
  });

  it('refuses an ID token that another IdP key would verify, or another issuer', async () => {
    const settings = await oidcSettings(idp().issuer, CLIENT);
    for (const oidc of [
      { ...settings, jwksEndpoint: (await oidcSettings(otherIdp().issuer, CLIENT)).jwksEndpoint },
      { ...settings, issuer: otherIdp().issuer },
    ]) {
      const other = await startService(
        sessionEnv({ oidc, redisUrl: redis().url, mounts: [MOUNT] }),
      );
      try {
        const { landed, status } = await login('carol', '/mounts/team/', other);
        expect(isCallback(landed)).toBe(true);
        expect(status).toBe(400);
      } finally {
        await other.stop();
      }
    }
  });

  it('answers 502 when the token endpoint cannot be reached, and keeps no session', async () => {
    const settings = await oidcSettings(idp().issuer, CLIENT);
    // A loopback port nothing listens on: the IdP's back channel is down.
    const closed = await freePort();
    const other = await startService(
      sessionEnv({
        oidc: { ...settings, tokenEndpoint: `http://127.0.0.1:${String(closed)}/token` },
        redisUrl: redis().url,
        mounts: [MOUNT],
      }),
    );
    try {
      const { browser, landed, status } = await login('carol', '/mounts/team/', other);
      expect(isCallback(landed)).toBe(true);
      expect(status).toBe(502);
      expect(await sessionCookie(browser)).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it('reports an IdP refusal (error=access_denied) without a session', async () => {
    const browser = service.browser();
    const start = await browser.request(at('/mounts/auth/login'));
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const response = await browser.request(
      at(`/mounts/auth/callback?error=access_denied&state=${state}`),
      { from: new URL(idp().issuer), navigation: true },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/did not log you in/);
    expect(await loginCookies(browser)).toEqual([]);
  });

  it('completes two logins started in two tabs of one browser', async () => {
    const browser = service.browser();
    const tabs = [];
    for (const returnTo of ['/mounts/team/a/', '/mounts/team/b/']) {
      const { url } = await browser.navigate(
        at(`/mounts/auth/login?returnTo=${encodeURIComponent(returnTo)}`),
        { login: { name: 'carol' }, stop: isCallback },
      );
      tabs.push(url);
    }
    expect(await loginCookies(browser)).toHaveLength(2);
    for (const [index, callback] of tabs.reverse().entries()) {
      const response = await browser.request(callback, {
        from: new URL(idp().issuer),
        navigation: true,
      });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(
        index === 0 ? '/mounts/team/b/' : '/mounts/team/a/',
      );
    }
    await sessionIdOf(browser);
    expect((await identity(browser)).status).toBe(200);
  });

  it('refuses every open-redirect returnTo at the login', async () => {
    const browser = service.browser();
    for (const returnTo of OPEN_REDIRECTS) {
      const response = await browser.request(
        at(`/mounts/auth/login?returnTo=${encodeURIComponent(returnTo)}`),
      );
      expect(response.status, returnTo).toBe(400);
      expect(response.headers.get('location'), returnTo).toBeNull();
      expect(response.headers.getSetCookie(), returnTo).toEqual([]);
    }
    const twice = await browser.request(
      at('/mounts/auth/login?returnTo=/mounts/a/&returnTo=//evil.example'),
    );
    expect(twice.status).toBe(400);
    const none = await browser.request(at('/mounts/auth/login'));
    expect(none.status).toBe(302);
    const [cookie] = await loginCookies(browser);
    const signer = new CookieSigner(sessionKeys(service.sessionSecret).cookieSigning);
    expect(
      decodeTransaction(signer, decodeURIComponent(cookie?.value ?? ''), Date.now())?.returnTo,
    ).toBe('/mounts/');
  });

  it('gives no identity for a forged, altered or unknown session cookie', async () => {
    const { browser } = await login('carol');
    const id = await sessionIdOf(browser);
    const signer = new CookieSigner(sessionKeys(service.sessionSecret).cookieSigning);
    const wrongKey = new CookieSigner(sessionKeys(newSecret()).cookieSigning);
    const unknown = 'A'.repeat(43);
    for (const value of [
      wrongKey.sign(id),
      `${id}.${'A'.repeat(43)}`,
      id,
      signer.sign(unknown),
      signer.sign(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`),
      '',
    ]) {
      const forged = service.browser();
      await forged.jar.setCookie(
        `__Secure-mounts-session=${encodeURIComponent(value)}; Path=/mounts/; Secure; HttpOnly`,
        at('/mounts/'),
      );
      const response = await forged.request(at('/mounts/api/v1/m/team/probe/identity'));
      expect(response.status, value).toBe(401);
      const session = await forged.request(at('/mounts/auth/session'));
      expect(await session.json()).toEqual({
        authenticated: false,
        loginUrl: '/mounts/auth/login',
      });
    }
    // Unaffected: the genuine cookie still works.
    expect((await identity(browser)).status).toBe(200);
  });

  it('needs the CSRF token and this origin for unsafe methods on the session cookie', async () => {
    const { browser } = await login('carol');
    await sessionIdOf(browser);
    const token = await csrfToken(browser);
    const post = (headers: Record<string, string>, from = at('/mounts/team/')) =>
      browser.request(at('/mounts/api/v1/m/team/probe/identity'), {
        method: 'POST',
        headers,
        from,
      });
    const refused = await post({});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: 'Forbidden',
      message: expect.stringMatching(/X-CSRF-Token/),
    });
    expect((await post({ 'x-csrf-token': `${token}x` })).status).toBe(403);
    // From another site, a browser does not even send the SameSite=Lax cookie…
    expect((await post({ 'x-csrf-token': token }, new URL('https://evil.example/'))).status).toBe(
      401,
    );
    // …and where one does (an old browser, a sibling subdomain), the Origin check refuses it.
    for (const origin of ['https://evil.example', 'https://s3.drive.example.test', 'null'])
      expect((await post({ 'x-csrf-token': token, origin })).status, origin).toBe(403);
    expect((await post({ 'x-csrf-token': token, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const other = await login('carol');
    expect((await post({ 'x-csrf-token': await csrfToken(other.browser) })).status).toBe(403);
    const accepted = await post({ 'x-csrf-token': token });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ principal: { sub: 'carol', via: 'session' } });
    // A safe method needs no token.
    expect((await identity(browser)).status).toBe(200);
  });

  it('ends a session after its idle timeout and at its absolute expiry', async () => {
    const short = await startService(
      sessionEnv({
        oidc: await oidcSettings(idp().issuer, CLIENT),
        redisUrl: redis().url,
        mounts: [MOUNT],
      }),
      { session: { idleTimeoutSeconds: 1, absoluteTimeoutSeconds: 3 } },
    );
    try {
      const idle = await login('carol', '/mounts/team/', short);
      await sessionIdOf(idle.browser);
      expect((await idle.browser.request(at('/mounts/api/v1/m/team/probe/identity'))).status).toBe(
        200,
      );
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect((await idle.browser.request(at('/mounts/api/v1/m/team/probe/identity'))).status).toBe(
        401,
      );

      const busy = await login('carol', '/mounts/team/', short);
      const id = await sessionIdOf(busy.browser);
      const started = Date.now();
      // Active every 400 ms: the idle timeout never strikes, the absolute expiry does.
      while (Date.now() - started < 2700) {
        expect(
          (await busy.browser.request(at('/mounts/api/v1/m/team/probe/identity'))).status,
        ).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 3100 - Date.now())));
      expect((await busy.browser.request(at('/mounts/api/v1/m/team/probe/identity'))).status).toBe(
        401,
      );
      expect(await short.context.redis.client.exists(sessionKey(id))).toBe(0);
    } finally {
      await short.stop();
    }
  });

  it('logs out only from its own origin: the session is deleted, then the IdP session ends', async () => {
    const { browser } = await login('carol');
    const id = await sessionIdOf(browser);
    const page = at('/mounts/team/');
    const forged = await browser.request(at('/mounts/auth/logout'), {
      method: 'POST',
      from: new URL('https://evil.example/'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(forged.status).toBe(403);
    expect((await identity(browser)).status).toBe(200);

    const response = await browser.request(at('/mounts/auth/logout'), {
      method: 'POST',
      from: page,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(response.status).toBe(303);
    const endSession = new URL(response.headers.get('location') ?? '');
    expect(endSession.origin + endSession.pathname).toBe(`${idp().issuer}/session/end`);
    const hint = endSession.searchParams.get('id_token_hint') ?? '';
    expect(hint.split('.')).toHaveLength(3);
    expect(Object.fromEntries(endSession.searchParams)).toMatchObject({
      post_logout_redirect_uri: `${PUBLIC_URL}/mounts/`,
      client_id: 'drive',
    });
    expect(response.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(
        /^__Secure-mounts-session=; Max-Age=0; Path=\/mounts\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    );
    expect(await sessionCookie(browser)).toBeUndefined();
    expect(await service.context.redis.client.exists(sessionKey(id))).toBe(0);
    // The cookie, replayed, names nothing any more.
    const replay = service.browser();
    await replay.jar.setCookie(
      `__Secure-mounts-session=${encodeURIComponent(new CookieSigner(sessionKeys(service.sessionSecret).cookieSigning).sign(id))}; Path=/mounts/; Secure`,
      at('/mounts/'),
    );
    expect((await replay.request(at('/mounts/api/v1/m/team/probe/identity'))).status).toBe(401);

    // At the IdP: its confirmation form, posted, leads back to the mounts.
    const confirmation = await browser.request(endSession, { from: page, navigation: true });
    const form = await confirmation.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(form)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const { url } = await browser.navigate(new URL(action, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      from: endSession,
      stop: (next) => next.origin === PUBLIC_URL,
    });
    expect(url.href).toBe(`${PUBLIC_URL}/mounts/`);
    // The IdP session is gone: a new login shows its login form again.
    const again = await browser.request(at('/mounts/auth/login'));
    const { response: page2 } = await browser.navigate(
      new URL(again.headers.get('location') ?? ''),
      {
        from: page,
      },
    );
    expect(await page2.text()).toMatch(/name="login"/);
  });

  it('accepts a logout without an Origin header when the form carries the CSRF token', async () => {
    const { browser } = await login('carol');
    const id = await sessionIdOf(browser);
    const token = await csrfToken(browser);
    const post = (body: string) =>
      browser.request(at('/mounts/auth/logout'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    expect((await post('')).status).toBe(403);
    expect((await post(`csrf_token=${token}x`)).status).toBe(403);
    expect((await post(`csrf_token=${token}`)).status).toBe(303);
    expect(await service.context.redis.client.exists(sessionKey(id))).toBe(0);
  });

  it('encrypts a refresh token at rest, bound to its session', async () => {
    const store = new SessionStore(
      service.context.redis.client,
      sessionKeys(service.sessionSecret).tokenEncryption,
      {
        idleTimeoutSeconds: 60,
        absoluteTimeoutSeconds: 120,
      },
    );
    const refreshToken = `refresh-${newSecret()}`;
    const user = { sub: 'carol', groups: [] };
    const { id } = await store.create({ user, refreshToken, idToken: 'id-token' });
    const raw = (await service.context.redis.client.get(sessionKey(id))) ?? '';
    expect(raw).not.toContain(refreshToken);
    expect(raw).not.toContain('id-token');
    expect((await store.get(id))?.refreshToken).toBe(refreshToken);
    // Copied under another session's key, the sealed tokens do not open.
    const { id: other } = await store.create({ user });
    await service.context.redis.client.set(sessionKey(other), raw, 'PX', 60_000);
    const copied = await store.get(other);
    expect(copied?.refreshToken).toBeUndefined();
    expect(copied?.idToken).toBeUndefined();
  });
});

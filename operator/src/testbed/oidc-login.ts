// A user logging in at a test IdP as a browser would (authorization code + PKCE), answering its
// login form: the test bed's oidc-provider (a name, no password) or Keycloak (username and
// password). Proves a client works end to end.
import * as client from 'openid-client';

/** Follows the login interaction as a browser would, answering the login form. */
export async function browserLogin(
  start: URL,
  login: string,
  redirectUri: string,
  password?: string,
): Promise<URL> {
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) cookies.set(name.trim(), value.join('='));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  let url = start;
  for (let hop = 0; hop < 10; hop += 1) {
    if (url.href.startsWith(redirectUri)) return url;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    remember(response);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url);
      continue;
    }
    // The login page. Keycloak's form posts username and password to its action URL;
    // oidc-provider's interaction takes the login name at its own URL.
    const page = await response.text();
    const keycloakAction = page.includes('id="kc-form-login"')
      ? /<form[^>]*\baction="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&')
      : undefined;
    const posted = await fetch(keycloakAction ? new URL(keycloakAction, url) : url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(
        keycloakAction
          ? { username: login, password: password ?? '', credentialId: '' }
          : { prompt: 'login', login, password: '' },
      ),
    });
    remember(posted);
    url = new URL(posted.headers.get('location') ?? '', url);
  }
  throw new Error('the login did not reach the redirect URI');
}

/** Logs `login` in with the client; returns the ID token claims. */
export async function loginWithClient(input: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  login: string;
  /** For an IdP that asks for one (Keycloak). */
  password?: string;
}): Promise<client.IDToken | undefined> {
  const config = await client.discovery(
    new URL(input.issuer),
    input.clientId,
    input.clientSecret,
    undefined,
    // The test IdP speaks plain HTTP on loopback.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    { execute: [client.allowInsecureRequests] },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await browserLogin(
    authorizationUrl,
    input.login,
    input.redirectUri,
    input.password,
  );
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return tokens.claims();
}

// A user logging in at a test IdP as a browser would (authorization code + PKCE), answering its
// login form: the test bed's oidc-provider (a name, no password) or Keycloak (username and
// password). Proves a client works end to end.
import * as client from 'openid-client';

/**
 * Follows the login interaction as a browser would, answering the login form. `send` replaces
 * fetch for an IdP the test reaches by a name that does not resolve on the host.
 */
export async function browserLogin(
  start: URL,
  login: string,
  redirectUri: string,
  password?: string,
  send: typeof fetch = fetch,
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
    const response = await send(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
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
    const posted = await send(keycloakAction ? new URL(keycloakAction, url) : url, {
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

export interface ClientLogin {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  login: string;
  /** For an IdP that asks for one (Keycloak). */
  password?: string;
  /** Replaces fetch for an IdP the test reaches by a name that does not resolve on the host. */
  fetch?: typeof fetch;
}

/** Logs `login` in with the client; returns the token endpoint's answer. */
export async function loginTokens(
  input: ClientLogin,
): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  const send = input.fetch ?? fetch;
  const config = await client.discovery(
    new URL(input.issuer),
    input.clientId,
    input.clientSecret,
    undefined,
    {
      [client.customFetch]: (url, options) => send(url, options),
      // The test IdP speaks plain HTTP.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      execute: [client.allowInsecureRequests],
    },
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
    send,
  );
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
}

/** Logs `login` in with the client; returns the ID token claims. */
export async function loginWithClient(input: ClientLogin): Promise<client.IDToken | undefined> {
  return (await loginTokens(input)).claims();
}

import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { useServer } from './fixtures.js';
import { startOidcProvider } from './oidc-provider.js';

// The test IdP speaks plain HTTP on loopback.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const insecure = { execute: [client.allowInsecureRequests] };

describe('oidc-provider (test bed)', () => {
  const idp = useServer(() => startOidcProvider());

  it('serves discovery and issues client_credentials tokens', async () => {
    const { issuer, operatorClient } = idp();
    const config = await client.discovery(
      new URL(issuer),
      operatorClient.id,
      operatorClient.secret,
      undefined,
      {
        ...insecure,
      },
    );
    expect(config.serverMetadata().registration_endpoint).toBe(`${issuer}/reg`);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' });
    expect(tokens.access_token).toBeTruthy();
    const introspection = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({ active: true, client_id: operatorClient.id });
  });

  it('registers clients only with the initial access token', async () => {
    const { issuer, initialAccessToken } = idp();
    const metadata = {
      redirect_uris: ['https://drive.example.com/api/v1.0/callback/'],
      grant_types: ['authorization_code'],
    };
    const registered = await client.dynamicClientRegistration(
      new URL(issuer),
      metadata,
      undefined,
      {
        initialAccessToken,
        ...insecure,
      },
    );
    expect(registered.clientMetadata().client_id).toBeTruthy();
    await expect(
      client.dynamicClientRegistration(new URL(issuer), metadata, undefined, {
        ...insecure,
      }),
    ).rejects.toThrow();
  });

  it('logs a user in without a password (authorization code + PKCE)', async () => {
    const { issuer, initialAccessToken } = idp();
    const redirectUri = 'https://drive.example.com/api/v1.0/callback/';
    const registered = await client.dynamicClientRegistration(
      new URL(issuer),
      {
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      undefined,
      { initialAccessToken, ...insecure },
    );
    const config = await client.discovery(
      new URL(issuer),
      registered.clientMetadata().client_id,
      registered.clientMetadata().client_secret,
      undefined,
      insecure,
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await passwordlessLogin(authorizationUrl, 'alice', redirectUri);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice' });
  });
});

/** Follows the login interaction as a browser would, answering the form with a name only. */
async function passwordlessLogin(start: URL, login: string, redirectUri: string): Promise<URL> {
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
    // The login page: post the login name to the interaction.
    const posted = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login, password: '' }),
    });
    remember(posted);
    url = new URL(posted.headers.get('location') ?? '', url);
  }
  throw new Error('the login did not reach the redirect URI');
}

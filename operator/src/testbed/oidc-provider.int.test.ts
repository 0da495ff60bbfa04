import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { useServer } from './fixtures.js';
import { loginWithClient } from './oidc-login.js';
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
    const claims = await loginWithClient({
      issuer,
      clientId: registered.clientMetadata().client_id,
      clientSecret: String(registered.clientMetadata().client_secret),
      redirectUri,
      login: 'alice',
    });
    expect(claims).toMatchObject({ sub: 'alice' });
  });
});

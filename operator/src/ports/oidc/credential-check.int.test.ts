import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useServer } from '../../testbed/fixtures.js';
import { startOidcProvider } from '../../testbed/oidc-provider.js';
import { freePort } from '../../testbed/processes.js';
import { IdpUnreachableError, checkClientCredentials } from './credential-check.js';

const REDIRECT_URI = 'https://drive.example.test/api/v1.0/callback/';
const basicSecret = randomBytes(24).toString('hex');
const postSecret = randomBytes(24).toString('hex');

describe('checkClientCredentials against oidc-provider', () => {
  const idp = useServer(() =>
    startOidcProvider({
      clients: [
        {
          client_id: 'drive',
          client_secret: basicSecret,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'client_secret_basic',
        },
        {
          client_id: 'drive-post',
          client_secret: postSecret,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [REDIRECT_URI],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
    }),
  );
  const check = (clientId: string, clientSecret: string, method?: 'client_secret_post') =>
    checkClientCredentials({
      issuer: idp().issuer,
      clientId,
      clientSecret,
      redirectUri: REDIRECT_URI,
      ...(method ? { tokenEndpointAuthMethod: method } : {}),
    });

  it('accepts the right secret (client_secret_basic by default)', async () => {
    expect(await check('drive', basicSecret)).toEqual({ valid: true });
  });

  it('rejects a wrong secret without quoting either secret', async () => {
    const wrong = randomBytes(24).toString('hex');
    const verdict = await check('drive', wrong);
    expect(verdict).toMatchObject({ valid: false, reason: 'CredentialsInvalid' });
    const message = verdict.valid ? '' : verdict.message;
    expect(message).toContain('invalid_client');
    expect(message).toContain('"drive"');
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(basicSecret);
  });

  it('rejects an unknown client id', async () => {
    expect(await check('nobody', basicSecret)).toMatchObject({
      valid: false,
      reason: 'CredentialsInvalid',
    });
  });

  it('checks a client_secret_post client with client_secret_post', async () => {
    expect(await check('drive-post', postSecret, 'client_secret_post')).toEqual({ valid: true });
    const wrong = randomBytes(24).toString('hex');
    const verdict = await check('drive-post', wrong, 'client_secret_post');
    expect(verdict).toMatchObject({ valid: false, reason: 'CredentialsInvalid' });
    expect(JSON.stringify(verdict)).not.toContain(wrong);
  });

  it('tells a client without the authorization_code grant from wrong credentials', async () => {
    // The test bed's operator client may only use client_credentials.
    const verdict = await check(idp().operatorClient.id, idp().operatorClient.secret);
    expect(verdict).toMatchObject({ valid: false, reason: 'ClientMisconfigured' });
    const message = verdict.valid ? '' : verdict.message;
    expect(message).toContain('not allowed');
    expect(message).not.toContain(idp().operatorClient.secret);
  });

  it.each([
    // fetch refuses port 9 outright ("bad port"); a closed port is refused by the kernel.
    ['a port fetch will not use', () => Promise.resolve('http://127.0.0.1:9'), 'bad port'],
    ['a closed port', async () => `http://127.0.0.1:${String(await freePort())}`, 'ECONNREFUSED'],
  ])('throws IdpUnreachableError when the issuer is down (%s)', async (_, issuerOf, reason) => {
    const issuer = await issuerOf();
    const error = await checkClientCredentials({
      issuer,
      clientId: 'drive',
      clientSecret: basicSecret,
      redirectUri: REDIRECT_URI,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(IdpUnreachableError);
    expect((error as IdpUnreachableError).issuer).toBe(issuer);
    expect((error as Error).message).toContain(reason);
    expect((error as Error).message).not.toContain(basicSecret);
  });

  it('throws IdpUnreachableError when the issuer URL is not the IdP', async () => {
    const issuer = `${idp().issuer}/not-the-issuer`;
    const error = await checkClientCredentials({
      issuer,
      clientId: 'drive',
      clientSecret: basicSecret,
      redirectUri: REDIRECT_URI,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(IdpUnreachableError);
    expect((error as Error).message).toContain(issuer);
  });
});

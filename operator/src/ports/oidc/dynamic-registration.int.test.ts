import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnswerLosingIdp } from '../../testbed/answer-losing-idp.js';
import { useServer } from '../../testbed/fixtures.js';
import { loginWithClient } from '../../testbed/oidc-login.js';
import { startOidcProvider } from '../../testbed/oidc-provider.js';
import { freePort } from '../../testbed/processes.js';
import { checkClientCredentials } from './credential-check.js';
import {
  RegistrationError,
  deleteClient,
  metadataDiffers,
  readClient,
  registerClient,
  updateClient,
  type ClientMetadata,
  type RegisteredClient,
} from './dynamic-registration.js';

const HOST = 'https://drive.example.test';
const REDIRECT_URI = `${HOST}/api/v1.0/callback/`;

const desired = (name = 'drive'): ClientMetadata => ({
  client_name: name,
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [`${HOST}/api/v1.0/logout-callback/`],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid email profile',
  id_token_signed_response_alg: 'RS256',
});

const failure = async (promise: Promise<unknown>): Promise<RegistrationError> => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
};

const expectNoSecrets = (text: string, client: RegisteredClient, ...others: string[]) => {
  for (const secret of [client.clientSecret, client.registrationAccessToken, ...others])
    expect(text).not.toContain(secret);
};

describe('dynamic client registration against oidc-provider', () => {
  const idp = useServer(() => startOidcProvider());
  const register = (metadata = desired()) =>
    registerClient({
      issuer: idp().issuer,
      initialAccessToken: idp().initialAccessToken,
      metadata,
    });
  const credentialsOf = (client: RegisteredClient) =>
    checkClientCredentials({
      issuer: idp().issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: REDIRECT_URI,
    });

  it('registers a client a user can log in with', async () => {
    const client = await register();
    expect(client.metadata).toEqual(desired());
    expect(client.clientSecret).not.toBe('');
    expect(client.registrationClientUri).toBe(`${idp().issuer}/reg/${client.clientId}`);
    expect(await credentialsOf(client)).toEqual({ valid: true });

    const claims = await loginWithClient({
      issuer: idp().issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUri: REDIRECT_URI,
      login: 'alice',
    });
    expect(claims).toMatchObject({ sub: 'alice', aud: client.clientId, iss: idp().issuer });
  });

  it('reads the client back, sees drift made behind its back and repairs it', async () => {
    const client = await register();
    expect(await readClient(client)).toEqual(client);

    // Someone edits the client at the IdP with the same RFC 7592 call.
    const drifted = { ...desired(), redirect_uris: ['https://elsewhere.example.test/cb'] };
    const edit = await fetch(client.registrationClientUri, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${client.registrationAccessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ...drifted, client_id: client.clientId }),
    });
    expect(edit.status).toBe(200);
    const seen = await readClient(client);
    expect(seen?.metadata).toEqual(drifted);
    expect(metadataDiffers(seen!.metadata, desired())).toBe(true);

    const updated = await updateClient({ ...client, metadata: desired() });
    // oidc-provider keeps the secret and, as configured here, the registration token.
    expect(updated).toEqual(client);
    const repaired = await readClient(client);
    expect(repaired).toEqual(client);
    expect(metadataDiffers(repaired!.metadata, desired())).toBe(false);
    expect(await credentialsOf(updated)).toEqual({ valid: true });
  });

  it('updates without the secret, keeping the one the IdP returns', async () => {
    const client = await register();
    const renamed = { ...desired('drive-renamed'), post_logout_redirect_uris: undefined };
    const updated = await updateClient({ ...client, clientSecret: '', metadata: renamed });
    expect(updated.clientSecret).toBe(client.clientSecret);
    // A field left out of the PUT is removed at the IdP, which answers with an empty list.
    expect(updated.metadata).toEqual({
      ...desired('drive-renamed'),
      post_logout_redirect_uris: [],
    });
    expect(metadataDiffers(updated.metadata, renamed)).toBe(false);
    expect(metadataDiffers(updated.metadata, desired())).toBe(true);
  });

  it('refuses an update with a wrong secret or bad metadata, quoting neither secret', async () => {
    const client = await register();
    const wrongSecret = randomBytes(24).toString('hex');
    const wrong = await failure(
      updateClient({ ...client, clientSecret: wrongSecret, metadata: desired() }),
    );
    expect(wrong).toMatchObject({ kind: 'Refused', status: 400 });
    expect(wrong.message).toContain('invalid_request');
    expect(wrong.message).toContain('client_secret does not match');
    expectNoSecrets(wrong.message, client, wrongSecret);

    const bad = await failure(
      updateClient({ ...client, metadata: { ...desired(), redirect_uris: ['not a url'] } }),
    );
    expect(bad).toMatchObject({ kind: 'Refused', status: 400 });
    expect(bad.message).toContain('invalid_redirect_uri');
    expectNoSecrets(bad.message, client);
    // A refused update changes nothing.
    expect((await readClient(client))?.metadata).toEqual(desired());
  });

  it('deletes a client; a second delete and a read find it gone', async () => {
    const client = await register();
    await deleteClient(client);
    expect(await readClient(client)).toBeUndefined();
    await deleteClient(client);
    expect(await credentialsOf(client)).toMatchObject({
      valid: false,
      reason: 'CredentialsInvalid',
    });
    // RFC 7592 answers 401 for a client that no longer exists; an update cannot recreate it.
    const update = await failure(updateClient({ ...client, metadata: desired() }));
    expect(update).toMatchObject({ kind: 'Refused', status: 401 });
    expect(update.message).toContain('invalid_token');
    expectNoSecrets(update.message, client);
  });

  it('reads a wrong registration token as gone, leaving the right one working', async () => {
    // RFC 7592 gives a wrong token and a deleted client the same 401.
    const client = await register();
    const wrongToken = randomBytes(24).toString('hex');
    expect(await readClient({ ...client, registrationAccessToken: wrongToken })).toBeUndefined();
    expect(await readClient(client)).toEqual(client);
  });

  it('refuses a wrong initial access token', async () => {
    const wrongToken = randomBytes(24).toString('hex');
    const error = await failure(
      registerClient({ issuer: idp().issuer, initialAccessToken: wrongToken, metadata: desired() }),
    );
    expect(error).toMatchObject({ kind: 'Refused', status: 401 });
    expect(error.message).toContain('invalid_token');
    expect(error.message).not.toContain(wrongToken);
    expect(error.message).not.toContain(idp().initialAccessToken);
  });

  it.each([
    [
      'a redirect URI that is not a URL',
      { redirect_uris: ['not a url'] },
      'invalid_redirect_uri',
      'redirect_uris must only contain valid uris',
    ],
    [
      'a scope the IdP does not know',
      { scope: 'openid drive:everything' },
      'invalid_client_metadata',
      'scope must only contain',
    ],
  ])('refuses %s with the IdP error', async (_, change, error, description) => {
    const refused = await failure(register({ ...desired(), ...change }));
    expect(refused).toMatchObject({ kind: 'Refused', status: 400 });
    expect(refused.message).toContain(error);
    expect(refused.message).toContain(description);
    expect(refused.message).not.toContain(idp().initialAccessToken);
  });

  it('reports an IdP that is down as Unreachable', async () => {
    const down = `http://127.0.0.1:${String(await freePort())}`;
    const registering = await failure(
      registerClient({ issuer: down, initialAccessToken: 'iat-value', metadata: desired() }),
    );
    expect(registering).toMatchObject({ kind: 'Unreachable', status: undefined });
    expect(registering.message).toContain('ECONNREFUSED');
    expect(registering.message).not.toContain('iat-value');
    // Nothing left: no client can have been created.
    expect(registering.outcomeUnknown).toBe(false);

    const handle = { registrationClientUri: `${down}/reg/x`, registrationAccessToken: 'rat-value' };
    for (const call of [readClient(handle), deleteClient(handle)]) {
      const error = await failure(call);
      expect(error).toMatchObject({ kind: 'Unreachable', status: undefined });
      expect(error.message).toContain('ECONNREFUSED');
      expect(error.message).not.toContain('rat-value');
    }
  });
});

describe('dynamic client registration against a failing IdP', () => {
  // Answers like an IdP behind a proxy whose backend is down.
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url?.startsWith('/json'))
        response
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'server_error', error_description: 'database down' }));
      else response.writeHead(503, { 'content-type': 'text/html' }).end('<h1>503</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('treats 5xx as Unreachable, keeping the IdP error', async () => {
    const registering = await failure(
      registerClient({ issuer: base, initialAccessToken: 'iat-value', metadata: desired() }),
    );
    expect(registering).toMatchObject({ kind: 'Unreachable', status: 503, outcomeUnknown: true });

    const reading = await failure(
      readClient({ registrationClientUri: `${base}/json/reg/x`, registrationAccessToken: 't-1' }),
    );
    expect(reading).toMatchObject({ kind: 'Unreachable', status: 500 });
    expect(reading.message).toContain('server_error: database down');

    const deleting = await failure(
      deleteClient({ registrationClientUri: `${base}/reg/x`, registrationAccessToken: 't-1' }),
    );
    expect(deleting).toMatchObject({ kind: 'Unreachable', status: 503 });
  });
});

describe('dynamic client registration whose answer is lost', () => {
  const idp = useServer(() => startAnswerLosingIdp());

  it('says the client may exist, so that registering again is not silent', async () => {
    const registering = await failure(
      registerClient({
        issuer: idp().issuer,
        initialAccessToken: 'iat-value',
        metadata: desired(),
      }),
    );
    expect(idp().registrations).toBe(1);
    expect(registering).toMatchObject({
      kind: 'Unreachable',
      status: undefined,
      outcomeUnknown: true,
    });
    expect(registering.message).toContain('registering client "drive"');
    expect(registering.message).not.toContain('iat-value');
  });
});

describe('metadataDiffers', () => {
  it('ignores the order of lists and scopes', () => {
    const current = {
      ...desired(),
      redirect_uris: ['https://b.example.test/cb', 'https://a.example.test/cb'],
      grant_types: ['refresh_token', 'authorization_code'],
      scope: 'profile  openid email',
    };
    const wanted = {
      ...desired(),
      redirect_uris: ['https://a.example.test/cb', 'https://b.example.test/cb'],
    };
    expect(metadataDiffers(current, wanted)).toBe(false);
  });

  it('takes a missing post-logout list as an empty one', () => {
    const none = { ...desired(), post_logout_redirect_uris: undefined };
    expect(metadataDiffers({ ...desired(), post_logout_redirect_uris: [] }, none)).toBe(false);
    expect(metadataDiffers(desired(), none)).toBe(true);
  });

  it('leaves the signing algorithm to the IdP unless one is wanted', () => {
    const any = { ...desired(), id_token_signed_response_alg: undefined };
    expect(metadataDiffers({ ...desired(), id_token_signed_response_alg: 'ES256' }, any)).toBe(
      false,
    );
    expect(
      metadataDiffers({ ...desired(), id_token_signed_response_alg: 'ES256' }, desired()),
    ).toBe(true);
  });

  it.each<[string, Partial<ClientMetadata>]>([
    ['name', { client_name: 'other' }],
    ['redirect URIs', { redirect_uris: [REDIRECT_URI, 'https://x.example.test/cb'] }],
    ['grant types', { grant_types: ['authorization_code'] }],
    ['response types', { response_types: ['code', 'id_token'] }],
    ['auth method', { token_endpoint_auth_method: 'client_secret_post' }],
    ['scope', { scope: 'openid email' }],
  ])('sees a changed %s', (_, change) => {
    expect(metadataDiffers({ ...desired(), ...change }, desired())).toBe(true);
  });
});

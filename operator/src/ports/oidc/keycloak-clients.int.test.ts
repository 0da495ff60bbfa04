// The Keycloak admin adapter against a real Keycloak: observe, create, drift and repair, secret,
// delete, refusals, and a real login with the client it created.
import { beforeAll, describe, expect, it } from 'vitest';
import { useServer } from '../../testbed/fixtures.js';
import {
  createRealmWithClientManager,
  startKeycloak,
  type KeycloakRealm,
} from '../../testbed/keycloak.js';
import { loginWithClient } from '../../testbed/oidc-login.js';
import { freePort } from '../../testbed/processes.js';
import { checkClientCredentials } from './credential-check.js';
import { RegistrationError } from './dynamic-registration.js';
import {
  clientDrift,
  KeycloakClients,
  ownedBy,
  type DesiredKeycloakClient,
  type KeycloakTarget,
} from './keycloak-clients.js';

const HOST = 'https://drive.example.test';

const desired = (clientId: string): DesiredKeycloakClient => ({
  clientId,
  description: 'Drive login (test)',
  redirectUris: [`${HOST}/api/v1.0/callback/`],
  postLogoutRedirectUris: [`${HOST}/api/v1.0/logout-callback/`],
  ownerUid: 'uid-of-the-oidcclient',
});

const failure = async (promise: Promise<unknown>): Promise<RegistrationError> => {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RegistrationError);
  return error as RegistrationError;
};

describe('the Keycloak admin adapter, on a real Keycloak', () => {
  const keycloak = useServer(() => startKeycloak());
  let realm: KeycloakRealm;
  let target: KeycloakTarget;

  beforeAll(async () => {
    realm = await createRealmWithClientManager(keycloak(), 'drive-test');
    target = {
      url: keycloak().url,
      realm: realm.realm,
      adminClientId: realm.managerClientId,
      adminClientSecret: realm.managerClientSecret,
    };
  });

  it('creates a client that passes the credential check and logs a user in', async () => {
    const admin = await KeycloakClients.connect(target);
    expect(await admin.find('drive-login')).toBeUndefined();
    const created = await admin.create(desired('drive-login'));
    expect(created.clientId).toBe('drive-login');
    expect(ownedBy(created, 'uid-of-the-oidcclient')).toBe(true);
    expect(clientDrift(created, desired('drive-login'))).toEqual([]);
    const secret = await admin.secret(created);
    expect(secret.length).toBeGreaterThanOrEqual(16);

    const check = (clientSecret: string) =>
      checkClientCredentials({
        issuer: realm.issuer,
        clientId: 'drive-login',
        clientSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
        redirectUri: `${HOST}/api/v1.0/callback/`,
      });
    expect(await check(secret)).toMatchObject({ valid: true });
    expect(await check('not-the-secret')).toMatchObject({
      valid: false,
      reason: 'CredentialsInvalid',
    });

    const claims = await loginWithClient({
      issuer: realm.issuer,
      clientId: 'drive-login',
      clientSecret: secret,
      redirectUri: `${HOST}/api/v1.0/callback/`,
      login: realm.username,
      password: realm.password,
    });
    expect(claims?.preferred_username).toBe(realm.username);
  });

  it('finds a client created earlier instead of creating it twice', async () => {
    const admin = await KeycloakClients.connect(target);
    const first = await admin.create(desired('drive-once'));
    expect((await admin.find('drive-once'))?.id).toBe(first.id);
    const again = await failure(admin.create(desired('drive-once')));
    expect(again).toMatchObject({ kind: 'Refused', status: 409 });
  });

  it('sees fields changed behind its back and writes back only those it owns', async () => {
    const admin = await KeycloakClients.connect(target);
    const created = await admin.create(desired('drive-drift'));
    // Someone widens the client in the console.
    await admin.update(created, {
      ...desired('drive-drift'),
      redirectUris: ['https://evil.example.net/*'],
    });
    const changed = await admin.find('drive-drift');
    expect(changed && clientDrift(changed, desired('drive-drift'))).toEqual(['redirectUris']);
    await admin.update(changed!, desired('drive-drift'));
    const repaired = await admin.find('drive-drift');
    expect(repaired && clientDrift(repaired, desired('drive-drift'))).toEqual([]);
    expect(repaired?.redirectUris).toEqual([`${HOST}/api/v1.0/callback/`]);
  });

  it('deletes a client; deleting it again is not an error', async () => {
    const admin = await KeycloakClients.connect(target);
    const created = await admin.create(desired('drive-delete'));
    await admin.delete(created);
    expect(await admin.find('drive-delete')).toBeUndefined();
    await admin.delete(created);
  });

  it('refuses wrong admin credentials without quoting them', async () => {
    const refused = await failure(
      KeycloakClients.connect({ ...target, adminClientSecret: 'wrong-admin-secret' }),
    );
    expect(refused.kind).toBe('Refused');
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('adminCredentialsSecretRef');
    expect(refused.message).not.toContain('wrong-admin-secret');
  });

  it('says which role is missing when the service account may not manage clients', async () => {
    const admin = await KeycloakClients.connect({
      ...target,
      adminClientId: realm.unprivilegedClientId,
      adminClientSecret: realm.unprivilegedClientSecret,
    });
    const refused = await failure(admin.find('drive-login'));
    expect(refused).toMatchObject({ kind: 'Refused', status: 403 });
    expect(refused.message).toContain('manage-clients');
  });

  it('reports Keycloak down as Unreachable', async () => {
    const url = `http://127.0.0.1:${String(await freePort())}`;
    const down = await failure(KeycloakClients.connect({ ...target, url }));
    expect(down.kind).toBe('Unreachable');
    expect(down.message).toContain('ECONNREFUSED');
  });
});

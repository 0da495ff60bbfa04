import { describe, expect, it } from 'vitest';
import { useServer } from './fixtures.js';
import { createRealmWithClientManager, fetchToken, startKeycloak } from './keycloak.js';

describe('keycloak (test bed)', () => {
  const keycloak = useServer(() => startKeycloak());

  it('prepares a realm whose client manager lists clients through the admin API', async () => {
    const realm = await createRealmWithClientManager(keycloak(), 'drive');
    const listClients = async (clientId: string, clientSecret: string) => {
      const token = await fetchToken(realm.issuer, {
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      });
      return fetch(
        `${keycloak().url}/admin/realms/${realm.realm}/clients?clientId=${realm.managerClientId}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
    };
    const response = await listClients(realm.managerClientId, realm.managerClientSecret);
    expect(response.status).toBe(200);
    const clients = (await response.json()) as { clientId: string }[];
    expect(clients.map((client) => client.clientId)).toEqual([realm.managerClientId]);
    const refused = await listClients(realm.unprivilegedClientId, realm.unprivilegedClientSecret);
    expect(refused.status).toBe(403);

    const discovery = await fetch(`${realm.issuer}/.well-known/openid-configuration`);
    expect(await discovery.json()).toMatchObject({ issuer: realm.issuer });

    // The test user logs in without any required action pending.
    await expect(
      fetchToken(realm.issuer, {
        grant_type: 'password',
        client_id: 'admin-cli',
        username: realm.username,
        password: realm.password,
      }),
    ).resolves.toBeTruthy();
  });
});

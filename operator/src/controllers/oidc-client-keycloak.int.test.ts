// OidcClients with credentials.keycloak on a real API server and a real Keycloak: the client is
// created with the callback of the DriveInstance that uses it and a user logs in with it; a
// client changed in Keycloak is restored; a client of the same clientId made by someone else is
// left alone (Stalled); deletion removes only the client the operator created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import { KeycloakClients, type KeycloakTarget } from '../ports/oidc/keycloak-clients.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import {
  createRealmWithClientManager,
  startKeycloak,
  type KeycloakRealm,
} from '../testbed/keycloak.js';
import { installCrds } from '../testbed/kube.js';
import { loginWithClient } from '../testbed/oidc-login.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { driveInstanceResource, oidcClientResource } from '../test-support/resources.js';

const NS = 'apps';
const GV = 'lasuite.selfhost.dev/v1alpha1';
const CALLBACK = 'https://files.apps.test/api/v1.0/callback/';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Client = KubeObject & {
  status?: { conditions?: Condition[]; clientId?: string; credentialsSecretRef?: { name: string } };
};

describe('OidcClients provisioned through the Keycloak admin API', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const keycloak = useServer(() => startKeycloak());
  let operator: RunningOperator;
  let api: ApiClient;
  let realm: KeycloakRealm;
  let target: KeycloakTarget;

  const get = (name: string) => api.getOrUndefined<Client>(GV, 'OidcClient', NS, name);
  const withReason = (name: string, type: string, reason: string) =>
    eventually(async () => {
      const found = (await get(name))?.status?.conditions?.find((entry) => entry.type === type);
      return found?.reason === reason ? found : undefined;
    }, 60).catch(async (error: unknown) => {
      throw new Error(`${name}: ${JSON.stringify((await get(name))?.status?.conditions)}`, {
        cause: error,
      });
    });
  const create = (name: string, clientId: string) => {
    const resource = oidcClientResource({
      issuer: realm.issuer,
      clientId,
      credentials: {
        keycloak: {
          url: keycloak().url,
          realm: realm.realm,
          adminCredentialsSecretRef: { name: 'keycloak-admin' },
        },
      },
    });
    resource.metadata = { name, namespace: NS };
    return api.create(resource as KubeObject);
  };
  const storedSecret = async (name: string) => {
    const secret = await api.get<KubeObject & { data: Record<string, string> }>(
      'v1',
      'Secret',
      NS,
      `${name}-oidc-credentials`,
    );
    return Buffer.from(secret.data.client_secret ?? '', 'base64').toString();
  };

  beforeAll(async () => {
    realm = await createRealmWithClientManager(keycloak(), 'drive-operator');
    target = {
      url: keycloak().url,
      realm: realm.realm,
      adminClientId: realm.managerClientId,
      adminClientSecret: realm.managerClientSecret,
    };
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['oidcclient'],
      logName: 'oidc-clients-keycloak',
      namespace: NS,
    }));
    await api.create(
      opaqueSecret(NS, 'keycloak-admin', {
        client_id: realm.managerClientId,
        client_secret: realm.managerClientSecret,
      }),
    );
    const drive = driveInstanceResource({
      host: 'files.apps.test',
      oidcClientRef: { name: 'login' },
    });
    drive.metadata = { name: 'files', namespace: NS };
    await api.create(drive as KubeObject);
  }, 180_000);

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('creates the client with the DriveInstance callback, and a user logs in with it', async () => {
    await create('login', 'drive');
    await withReason('login', 'Ready', 'Succeeded');
    expect((await get('login'))?.status?.clientId).toBe('drive');
    const admin = await KeycloakClients.connect(target);
    const atKeycloak = await admin.find('drive');
    expect(atKeycloak?.redirectUris).toEqual([CALLBACK]);
    const clientSecret = await storedSecret('login');
    expect(clientSecret).toBe(await admin.secret(atKeycloak!));
    const claims = await loginWithClient({
      issuer: realm.issuer,
      clientId: 'drive',
      clientSecret,
      redirectUri: CALLBACK,
      login: realm.username,
      password: realm.password,
    });
    expect(claims?.preferred_username).toBe(realm.username);
  });

  it('restores a client changed in Keycloak', async () => {
    const admin = await KeycloakClients.connect(target);
    const current = await admin.find('drive');
    await admin.update(current!, {
      clientId: 'drive',
      description: 'changed by hand',
      redirectUris: ['https://evil.example.net/*'],
      postLogoutRedirectUris: [],
      ownerUid: String(
        (current!.attributes as Record<string, string>)['lasuite.selfhost.dev/owner-uid'],
      ),
    });
    await api.mergePatch(GV, 'OidcClient', NS, 'login', {
      metadata: { annotations: { 'test/poke': '1' } },
    });
    await eventually(async () => {
      const redirectUris = (await admin.find('drive'))?.redirectUris;
      return Array.isArray(redirectUris) && redirectUris[0] === CALLBACK;
    }, 60);
  });

  it('leaves a client of the same clientId made by someone else alone, and stalls', async () => {
    const admin = await KeycloakClients.connect(target);
    await admin.create({
      clientId: 'someone-elses',
      description: 'not ours',
      redirectUris: ['https://other.example.net/cb'],
      postLogoutRedirectUris: [],
      ownerUid: 'another-owner',
    });
    await create('taken', 'someone-elses');
    const stalled = await withReason('taken', 'Stalled', 'ClientExists');
    expect(stalled.message).toContain('someone-elses');
    expect((await admin.find('someone-elses'))?.redirectUris).toEqual([
      'https://other.example.net/cb',
    ]);
    await api.delete(GV, 'OidcClient', NS, 'taken');
    await eventually(async () => (await get('taken')) === undefined, 60);
    expect(await admin.find('someone-elses')).toBeDefined();
  });

  it('deletes the client it created with the OidcClient (deletionPolicy Delete)', async () => {
    expect((await get('login'))?.metadata.finalizers).toContain(
      'lasuite.selfhost.dev/external-cleanup',
    );
    await api.delete(GV, 'OidcClient', NS, 'login');
    await eventually(async () => (await get('login')) === undefined, 60);
    const admin = await KeycloakClients.connect(target);
    expect(await admin.find('drive')).toBeUndefined();
  });
});

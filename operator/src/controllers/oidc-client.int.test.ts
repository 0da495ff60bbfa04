// OidcClients on a real API server against the test bed's real IdP (oidc-provider): an existing
// client from a Secret, a wrong secret, RFC 7591 registration with the redirect URIs of the
// DriveInstances that use it, a client changed behind the operator's back, a real login with the
// client the operator registered, and deletion of the registered client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import { readClient } from '../ports/oidc/dynamic-registration.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { startAnswerLosingIdp } from '../testbed/answer-losing-idp.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { loginWithClient } from '../testbed/oidc-login.js';
import { startOidcProvider } from '../testbed/oidc-provider.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { driveInstanceResource, oidcClientResource } from '../test-support/resources.js';

const NS = 'apps';
const GV = 'lasuite.selfhost.dev/v1alpha1';
const STATIC_SECRET = 'static-client-secret-0123456789';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Client = KubeObject & {
  status?: { conditions?: Condition[]; clientId?: string; credentialsSecretRef?: { name: string } };
};

describe('OidcClients', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const idp = useServer(() =>
    startOidcProvider({
      clients: [
        {
          client_id: 'drive-static',
          client_secret: STATIC_SECRET,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: ['https://drive.apps.test/api/v1.0/callback/'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
    }),
  );
  let operator: RunningOperator;
  let api: ApiClient;

  const get = (name: string) => api.getOrUndefined<Client>(GV, 'OidcClient', NS, name);
  const condition = async (name: string, type: string) =>
    (await get(name))?.status?.conditions?.find((entry) => entry.type === type);
  const withReason = (name: string, type: string, reason: string) =>
    eventually(async () => {
      const found = await condition(name, type);
      return found?.reason === reason ? found : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(`${name}: ${JSON.stringify((await get(name))?.status?.conditions)}`, {
        cause: error,
      });
    });
  const create = (name: string, spec: Record<string, unknown>) => {
    const resource = oidcClientResource({ issuer: idp().issuer, ...spec });
    resource.metadata = { name, namespace: NS };
    return api.create(resource as KubeObject);
  };
  const registration = async (name: string) => {
    const secret = await api.get<KubeObject & { data: Record<string, string> }>(
      'v1',
      'Secret',
      NS,
      `${name}-oidc-credentials`,
    );
    const value = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString();
    return {
      clientId: value('client_id'),
      clientSecret: value('client_secret'),
      registrationAccessToken: value('registration_access_token'),
      registrationClientUri: value('registration_client_uri'),
    };
  };

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['oidcclient'],
      logName: 'oidc-clients',
      namespace: NS,
    }));
    await api.create(
      opaqueSecret(NS, 'static', { client_id: 'drive-static', client_secret: STATIC_SECRET }),
    );
    await api.create(
      opaqueSecret(NS, 'wrong', { client_id: 'drive-static', client_secret: 'not-it' }),
    );
    await api.create(opaqueSecret(NS, 'registration', { token: idp().initialAccessToken }));
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('verifies an existing client from a Secret', async () => {
    await create('static', { credentials: { secretRef: { name: 'static' } } });
    await withReason('static', 'Ready', 'Succeeded');
    expect(await condition('static', 'CredentialsValid')).toMatchObject({ status: 'True' });
    expect((await get('static'))?.status?.clientId).toBe('drive-static');
  });

  it('stalls with CredentialsInvalid, and an Event, when the secret is wrong', async () => {
    await create('wrong', { credentials: { secretRef: { name: 'wrong' } } });
    const stalled = await withReason('wrong', 'Stalled', 'CredentialsInvalid');
    expect(stalled.message).not.toContain('not-it');
    const events = await api.list<
      KubeObject & { reason?: string; involvedObject?: { name?: string } }
    >('v1', 'Event', NS);
    expect(
      events.items.some(
        (event) => event.involvedObject?.name === 'wrong' && event.reason === 'CredentialsInvalid',
      ),
    ).toBe(true);
  });

  it('registers a client with the callback of every DriveInstance that uses it, and logs a user in with it', async () => {
    const drive = driveInstanceResource({
      host: 'files.apps.test',
      oidcClientRef: { name: 'registered' },
    });
    drive.metadata = { name: 'files', namespace: NS };
    await api.create(drive as KubeObject);
    await create('registered', {
      credentials: {
        dynamicRegistration: { initialAccessTokenSecretRef: { name: 'registration' } },
      },
    });
    await withReason('registered', 'Ready', 'Succeeded');
    const stored = await registration('registered');
    expect((await get('registered'))?.status?.clientId).toBe(stored.clientId);
    const atIdp = await readClient(stored);
    expect(atIdp?.metadata.redirect_uris).toEqual(['https://files.apps.test/api/v1.0/callback/']);
    const claims = await loginWithClient({
      issuer: idp().issuer,
      clientId: stored.clientId,
      clientSecret: stored.clientSecret,
      redirectUri: 'https://files.apps.test/api/v1.0/callback/',
      login: 'alice',
    });
    expect(claims).toMatchObject({ sub: 'alice' });
  });

  it('restores a client changed behind its back', async () => {
    const stored = await registration('registered');
    const { updateClient } = await import('../ports/oidc/dynamic-registration.js');
    const current = await readClient(stored);
    if (!current) throw new Error('the registered client is gone');
    await updateClient({
      ...stored,
      metadata: { ...current.metadata, redirect_uris: ['https://evil.example.net/callback'] },
    });
    // Any change to the OidcClient reconciles it now instead of at the next drift check.
    await api.mergePatch(GV, 'OidcClient', NS, 'registered', {
      metadata: { annotations: { 'test/poke': '1' } },
    });
    await eventually(async () => {
      const client = await readClient(await registration('registered'));
      return client?.metadata.redirect_uris[0] === 'https://files.apps.test/api/v1.0/callback/';
    });
  });

  it('deletes the registered client with the OidcClient (deletionPolicy Delete)', async () => {
    const stored = await registration('registered');
    expect((await get('registered'))?.metadata.finalizers).toContain(
      'lasuite.selfhost.dev/external-cleanup',
    );
    await api.delete(GV, 'OidcClient', NS, 'registered');
    await eventually(async () => (await get('registered')) === undefined);
    expect(await readClient(stored)).toBeUndefined();
  });

  it('warns that a registration whose answer was lost may have left a client behind', async () => {
    const lossy = await startAnswerLosingIdp();
    try {
      const resource = oidcClientResource({
        issuer: lossy.issuer,
        credentials: {
          dynamicRegistration: { initialAccessTokenSecretRef: { name: 'registration' } },
        },
      });
      resource.metadata = { name: 'lossy', namespace: NS };
      await api.create(resource as KubeObject);
      await withReason('lossy', 'Reconciling', 'IssuerUnreachable');
      expect(await condition('lossy', 'Stalled')).toBeUndefined();
      const warning = await eventually(async () => {
        const events = await api.list<
          KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }
        >('v1', 'Event', NS);
        return events.items.find(
          (event) =>
            event.involvedObject?.name === 'lossy' && event.reason === 'RegistrationOutcomeUnknown',
        );
      });
      expect(warning.message).toContain(`client "${NS}/lossy" at ${lossy.issuer}`);
      expect(warning.message).not.toContain(idp().initialAccessToken);
      expect(lossy.registrations).toBeGreaterThanOrEqual(1);
      await api.delete(GV, 'OidcClient', NS, 'lossy');
    } finally {
      await lossy.stop();
    }
  });

  it('reports an unreachable issuer as Reconciling, never Stalled', async () => {
    await create('down', {
      issuer: 'http://127.0.0.1:9/realms/x',
      credentials: { secretRef: { name: 'static' } },
    });
    await withReason('down', 'Reconciling', 'IssuerUnreachable');
    expect(await condition('down', 'Stalled')).toBeUndefined();
  });
});

// The StorageMount, OidcClient and WopiClient controllers on a real API server, with the test
// IdP for discovery: the status contract for every outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { startOidcProvider } from '../testbed/oidc-provider.js';
import { oidcClientResource, s3MountResource } from '../test-support/resources.js';

const NS = 'apps';

describe('the StorageMount, OidcClient and WopiClient controllers', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const idp = useServer(() => startOidcProvider());
  let operator: RunningOperator;
  let api: ApiClient;

  const status = async (kind: string, name: string) =>
    (
      await api.getOrUndefined<KubeObject & { status?: any }>(
        'lasuite.selfhost.dev/v1alpha1',
        kind,
        NS,
        name,
      )
    )?.status;
  const conditionOf = async (kind: string, name: string, type: string) =>
    (
      (await status(kind, name))?.conditions as
        { type: string; status: string; reason: string }[] | undefined
    )?.find((c) => c.type === type);

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['storagemount', 'oidcclient', 'wopiclient'],
      logName: 'resource-controllers',
      namespace: NS,
    }));
    await api.create(
      opaqueSecret(NS, 'login-client', { client_id: 'drive', client_secret: 's3cret' }),
    );
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('publishes the discovered endpoints of a reachable issuer', async () => {
    await api.create(oidcClientResource({ issuer: idp().issuer }) as KubeObject);
    const endpoints = await eventually(
      async () => (await status('OidcClient', 'login'))?.endpoints,
    );
    expect(endpoints).toMatchObject({
      authorization: `${idp().issuer}/auth`,
      token: `${idp().issuer}/token`,
      userinfo: `${idp().issuer}/me`,
      jwks: `${idp().issuer}/jwks`,
    });
    expect(await conditionOf('OidcClient', 'login', 'DiscoveryReachable')).toMatchObject({
      status: 'True',
    });
    expect((await status('OidcClient', 'login'))?.observedGeneration).toBe(1);
  });

  it('reports an unreachable issuer as Reconciling, never Stalled', async () => {
    const resource = oidcClientResource({ issuer: 'http://127.0.0.1:9/unreachable' });
    (resource.metadata as Record<string, unknown>).name = 'unreachable';
    await api.create(resource as KubeObject);
    const ready = await eventually(() => conditionOf('OidcClient', 'unreachable', 'Ready'));
    expect(ready).toMatchObject({ status: 'False', reason: 'IssuerUnreachable' });
    expect(await conditionOf('OidcClient', 'unreachable', 'Reconciling')).toMatchObject({
      status: 'True',
    });
    expect(await conditionOf('OidcClient', 'unreachable', 'Stalled')).toBeUndefined();
  });

  it('stalls, with an Event, when the credentials Secret lacks a key', async () => {
    const resource = oidcClientResource({
      issuer: idp().issuer,
      credentials: { secretRef: { name: 'login-client', clientSecretKey: 'secret' } },
    });
    (resource.metadata as Record<string, unknown>).name = 'wrong-key';
    await api.create(resource as KubeObject);
    const stalled = await eventually(() => conditionOf('OidcClient', 'wrong-key', 'Stalled'));
    expect(stalled).toMatchObject({ status: 'True', reason: 'SecretKeyMissing' });
    const events = await eventually(async () => {
      const list = await api.list<
        KubeObject & { reason?: string; involvedObject?: { name?: string } }
      >('v1', 'Event', NS);
      const found = list.items.filter(
        (event) =>
          event.involvedObject?.name === 'wrong-key' && event.reason === 'SecretKeyMissing',
      );
      return found.length > 0 ? found : undefined;
    });
    expect(events).toHaveLength(1);
  });

  it('publishes the endpoints and credentials Secret of an S3 mount', async () => {
    await api.create(
      opaqueSecret(NS, 'media-credentials', { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }),
    );
    await api.create(
      // A closed loopback port: the bucket checks fail at once and never leave the host.
      s3MountResource({
        endpoints: { internal: 'http://127.0.0.1:9', public: 'https://s3.example.com' },
      }) as KubeObject,
    );
    const published = await eventually(
      async () => (await status('StorageMount', 'media'))?.endpoints,
    );
    expect(published).toEqual({
      internal: 'http://127.0.0.1:9',
      public: 'https://s3.example.com',
    });
    expect((await status('StorageMount', 'media'))?.credentialsSecretRef).toEqual({
      name: 'media-credentials',
    });
  });
});

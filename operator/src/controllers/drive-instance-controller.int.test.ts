// The DriveInstance controller against a real API server and controller-manager. The test plays
// the parts nothing runs here: the storage and identity controllers (it writes their status) and
// the kubelet (it writes Deployment and Job status), and says so where it does.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOperator, type RunningOperator } from '../operator/operator.js';
import type { ApiClient } from '../runtime/api-client.js';
import { type KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { apiClient, installCrds, operatorServiceAccountKubeconfig } from '../testbed/kube.js';
import { installThirdPartyCrds } from '../testbed/third-party-crds.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import { auditedLogger, recordClusterSecretValues } from '../test-support/log-audit.js';
import {
  driveInstanceResource,
  oidcClientResource,
  s3MountResource,
  wopiClientResource,
} from '../test-support/resources.js';
import { PAUSE_ANNOTATION } from './status-writer.js';

const NS = 'apps';
const SECRET_VALUES = [
  'media-access-key-AKIA-test',
  'media-secret-value-0123456789',
  'oidc-client-secret-value',
  'postgres-password-value',
];

const secret = (name: string, data: Record<string, string>) => opaqueSecret(NS, name, data);

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

const readyCondition = {
  type: 'Ready',
  status: 'True',
  reason: 'Succeeded',
  message: 'ok',
  lastTransitionTime: new Date().toISOString(),
};

describe('the DriveInstance controller', () => {
  const kube = useServer(() => startControlPlane());
  let operator: RunningOperator;
  let api: ApiClient;
  const logLines: string[] = [];

  const get = (kind: string, name: string, apiVersion = 'lasuite.selfhost.dev/v1alpha1') =>
    api.getOrUndefined<KubeObject & Record<string, any>>(apiVersion, kind, NS, name);
  const driveStatus = async () => (await get('DriveInstance', 'drive'))?.status;
  const condition = async (type: string) =>
    (
      (await driveStatus())?.conditions as
        { type: string; status: string; reason: string }[] | undefined
    )?.find((c) => c.type === type);

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    await installThirdPartyCrds(kube().kubeconfig);
    operator = await startOperator({
      // The operator's own ServiceAccount and ClusterRole: least privilege is enough.
      kubeconfig: await operatorServiceAccountKubeconfig(kube().kubeconfig),
      metricsPort: 0,
      leaderElection: false,
      leaseNamespace: 'default',
      identity: 'test',
      // The test plays the storage, identity and editor controllers.
      controllers: ['driveinstance'],
      log: auditedLogger('drive-instance-controller', (line) => logLines.push(line)),
    });
    // The test acts as a cluster admin; the operator runs under its own ServiceAccount.
    api = await apiClient(kube().kubeconfig);
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await api.create(
      secret('media-credentials', {
        AWS_ACCESS_KEY_ID: SECRET_VALUES[0]!,
        AWS_SECRET_ACCESS_KEY: SECRET_VALUES[1]!,
      }),
    );
    await api.create(
      secret('login-client', { client_id: 'drive', client_secret: SECRET_VALUES[2]! }),
    );
    await api.create(
      secret('drive-db-app', {
        host: 'drive-db-rw',
        port: '5432',
        dbname: 'drive',
        username: 'drive',
        password: SECRET_VALUES[3]!,
      }),
    );
    for (const resource of [s3MountResource(), oidcClientResource(), wopiClientResource()])
      await api.create(resource as KubeObject);
    // Playing the identity controller: the discovered endpoints.
    await api.applyStatus(
      {
        apiVersion: 'lasuite.selfhost.dev/v1alpha1',
        kind: 'OidcClient',
        metadata: { name: 'login', namespace: NS },
        status: {
          endpoints: {
            authorization: 'https://sso.example.com/auth',
            token: 'https://sso.example.com/token',
            userinfo: 'https://sso.example.com/userinfo',
            jwks: 'https://sso.example.com/jwks',
          },
        },
      },
      'test-identity-controller',
    );
    await api.create(
      driveInstanceResource({ wopiClientRefs: [{ name: 'collabora' }] }) as KubeObject,
    );
  });

  afterAll(async () => {
    await operator.stop();
  });

  it('applies every rendered object', async () => {
    for (const [apiVersion, kind, name] of [
      ['v1', 'ConfigMap', 'drive-env'],
      ['v1', 'Secret', 'drive-generated'],
      ['apps/v1', 'Deployment', 'drive-backend'],
      ['apps/v1', 'Deployment', 'drive-beat'],
      ['traefik.io/v1alpha1', 'IngressRoute', 'drive-routes'],
      ['postgresql.cnpg.io/v1', 'Cluster', 'drive-db'],
    ] as const) {
      await eventually(`${kind} ${name}`, () => get(kind, name, apiVersion));
    }
  });

  it('reports what it waits for, without Stalled', async () => {
    const ready = await eventually('a Ready condition', () => condition('Ready'));
    expect(ready).toMatchObject({ status: 'False', reason: 'WaitingForStorage' });
    expect(await condition('Reconciling')).toMatchObject({ status: 'True' });
    expect(await condition('Stalled')).toBeUndefined();
    expect((await driveStatus())?.observedGeneration).toBe(1);
  });

  it('becomes Ready once its references and children are', async () => {
    // Playing the storage, identity and editor controllers.
    for (const kind of ['StorageMount', 'OidcClient', 'WopiClient']) {
      const name = { StorageMount: 'media', OidcClient: 'login', WopiClient: 'collabora' }[kind]!;
      await api.applyStatus(
        {
          apiVersion: 'lasuite.selfhost.dev/v1alpha1',
          kind,
          metadata: { name, namespace: NS },
          status: { conditions: [readyCondition] },
        },
        'test-resource-controllers',
      );
    }
    // Playing the kubelet: the Deployments are available and the migrations Job succeeded.
    const status = await eventually(
      'the migrations Job name',
      async () => (await driveStatus())?.migrations?.job as string | undefined,
    );
    await api.request('PATCH', `/apis/batch/v1/namespaces/${NS}/jobs/${status}/status`, {
      body: {
        status: {
          succeeded: 1,
          startTime: new Date().toISOString(),
          completionTime: new Date().toISOString(),
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ],
        },
      },
      contentType: 'application/merge-patch+json',
    });
    for (const name of [
      'drive-backend',
      'drive-frontend',
      'drive-worker',
      'drive-beat',
      'drive-media-gateway',
    ]) {
      const deployment = await get('Deployment', name, 'apps/v1');
      const replicas = deployment?.spec?.replicas ?? 1;
      await api.request('PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/${name}/status`, {
        body: {
          status: {
            observedGeneration: deployment?.metadata.generation,
            replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            updatedReplicas: replicas,
          },
        },
        contentType: 'application/merge-patch+json',
      });
    }
    const ready = await eventually('Ready=True', async () =>
      (await condition('Ready'))?.status === 'True' ? condition('Ready') : undefined,
    );
    expect(ready).toMatchObject({ reason: 'Succeeded' });
    expect(await condition('Reconciling')).toBeUndefined();
    expect((await driveStatus())?.url).toBe('https://drive.example.com');
  });

  it('updates children when the spec changes', async () => {
    const drive = (await get('DriveInstance', 'drive'))!;
    await api.mergePatch('lasuite.selfhost.dev/v1alpha1', 'DriveInstance', NS, 'drive', {
      spec: { host: 'files.example.com' },
    });
    await eventually(
      'the new MEDIA_BASE_URL',
      async () =>
        (await get('ConfigMap', 'drive-env', 'v1'))?.data?.MEDIA_BASE_URL ===
        'https://files.example.com',
    );
    await eventually(
      'observedGeneration 2',
      async () =>
        (await driveStatus())?.observedGeneration === (drive.metadata.generation ?? 0) + 1,
    );
  });

  it('restores a child someone edited', async () => {
    await api.mergePatch('v1', 'ConfigMap', NS, 'drive-env', {
      data: { MEDIA_BASE_URL: 'https://tampered.example.com' },
    });
    await eventually(
      'the restored value',
      async () =>
        (await get('ConfigMap', 'drive-env', 'v1'))?.data?.MEDIA_BASE_URL ===
        'https://files.example.com',
    );
  });

  it('recreates a child someone deleted', async () => {
    const before = await get('Service', 'drive-backend', 'v1');
    await api.delete('v1', 'Service', NS, 'drive-backend');
    const after = await eventually('a new Service', async () => {
      const current = await get('Service', 'drive-backend', 'v1');
      return current && current.metadata.uid !== before?.metadata.uid ? current : undefined;
    });
    expect(after.metadata.ownerReferences?.[0]?.kind).toBe('DriveInstance');
  });

  it('keeps generated secrets across reconciles', async () => {
    const first = (await get('Secret', 'drive-generated', 'v1'))?.data;
    await api.mergePatch('lasuite.selfhost.dev/v1alpha1', 'DriveInstance', NS, 'drive', {
      spec: { worker: { replicas: 2 } },
    });
    await eventually(
      'two workers',
      async () => (await get('Deployment', 'drive-worker', 'apps/v1'))?.spec?.replicas === 2,
    );
    expect((await get('Secret', 'drive-generated', 'v1'))?.data).toEqual(first);
  });

  it('stops changing anything while paused', async () => {
    await api.mergePatch('lasuite.selfhost.dev/v1alpha1', 'DriveInstance', NS, 'drive', {
      metadata: { annotations: { [PAUSE_ANNOTATION]: 'paused' } },
      spec: { worker: { replicas: 3 } },
    });
    await eventually(
      'Reconciling=False/Paused',
      async () => (await condition('Reconciling'))?.reason === 'Paused',
    );
    await sleep(1500);
    expect((await get('Deployment', 'drive-worker', 'apps/v1'))?.spec?.replicas).toBe(2);
    await api.mergePatch('lasuite.selfhost.dev/v1alpha1', 'DriveInstance', NS, 'drive', {
      metadata: { annotations: { [PAUSE_ANNOTATION]: null } },
    });
    await eventually(
      'three workers after resuming',
      async () => (await get('Deployment', 'drive-worker', 'apps/v1'))?.spec?.replicas === 3,
    );
  });

  it('stalls with the missing key named when a referenced Secret lacks it', async () => {
    await api.replace({
      ...secret('media-credentials', { AWS_ACCESS_KEY_ID: SECRET_VALUES[0]! }),
      metadata: { ...(await get('Secret', 'media-credentials', 'v1'))!.metadata },
    });
    const stalled = await eventually('Stalled', async () =>
      (await condition('Stalled'))?.status === 'True' ? condition('Stalled') : undefined,
    );
    expect(stalled).toMatchObject({ reason: 'SecretKeyMissing' });
    await api.replace({
      ...secret('media-credentials', {
        AWS_ACCESS_KEY_ID: SECRET_VALUES[0]!,
        AWS_SECRET_ACCESS_KEY: SECRET_VALUES[1]!,
      }),
      metadata: { ...(await get('Secret', 'media-credentials', 'v1'))!.metadata },
    });
    await eventually('Stalled cleared', async () => (await condition('Stalled')) === undefined);
  });

  it('writes nothing while nothing changes', async () => {
    const writes = async () => {
      const metrics = await operator.manager.registry.getSingleMetricAsString(
        'lasuite_operator_api_requests_total',
      );
      return metrics
        .split('\n')
        .filter((line) => /verb="(apply|apply-status|create|update|patch|delete)"/.test(line))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    };
    await eventually('an idle queue', () =>
      Promise.resolve(operator.manager.idle ? true : undefined),
    );
    const before = await writes();
    const lines = logLines.length;
    await sleep(3000);
    expect(logLines.slice(lines).filter((line) => line.includes('"applied"'))).toEqual([]);
    expect(await writes()).toBe(before);
  });

  it('never logs a secret value', async () => {
    // The suite-wide audit (log-audit.audit.test.ts) checks these against every test's logs too.
    await recordClusterSecretValues(api);
    const generated = Buffer.from(
      String((await get('Secret', 'drive-generated', 'v1'))?.data?.DJANGO_SECRET_KEY),
      'base64',
    ).toString();
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const value of [...SECRET_VALUES, generated]) expect(logs).not.toContain(value);
  });

  it('lets the garbage collector delete the children with the DriveInstance', async () => {
    await api.delete('lasuite.selfhost.dev/v1alpha1', 'DriveInstance', NS, 'drive');
    await eventually(
      'children collected',
      async () =>
        (await get('Deployment', 'drive-backend', 'apps/v1')) === undefined &&
        (await get('ConfigMap', 'drive-env', 'v1')) === undefined
          ? true
          : undefined,
      60_000,
    );
  });
});

// StorageMounts of type s3 on a real API server with real stores: Ceph RGW (providers external,
// rgw, and rook, where this test plays Rook's part) and SeaweedFS (provider seaweedfs). Every
// mount must become Ready with each setting read back from the store; bad credentials and an
// unreachable endpoint must give the conditions the status contract promises; deletion must
// keep (Retain) or remove (Delete) every object version, and wait while a DriveInstance uses it.
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import { bucketClient } from '../ports/s3/bucket.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startCephRgw } from '../testbed/ceph-rgw.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { startSeaweedFs } from '../testbed/seaweedfs.js';
import { kubectlWithInput, rookCrds } from '../testbed/third-party-crds.js';
import { opaqueSecret } from '../test-support/drive-seed.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { driveInstanceResource, s3MountResource } from '../test-support/resources.js';

const NS = 'apps';
const GV = 'lasuite.selfhost.dev/v1alpha1';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Mount = KubeObject & {
  status?: {
    conditions?: Condition[];
    endpoints?: Record<string, string>;
    credentialsSecretRef?: { name: string };
  };
};

describe('StorageMounts of type s3', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const rgw = useServer(() => startCephRgw());
  const weed = useServer(() => startSeaweedFs());
  let operator: RunningOperator;
  let api: ApiClient;

  const mount = (name: string) => api.getOrUndefined<Mount>(GV, 'StorageMount', NS, name);
  const condition = async (name: string, type: string) =>
    (await mount(name))?.status?.conditions?.find((entry) => entry.type === type);
  const ready = (name: string) =>
    eventually(async () => {
      const found = await condition(name, 'Ready');
      return found?.status === 'True' ? found : undefined;
    }).catch(async (error: unknown) => {
      // The conditions say why, which a bare timeout would not.
      throw new Error(
        `${name} not Ready: ${JSON.stringify((await mount(name))?.status?.conditions)}`,
        {
          cause: error,
        },
      );
    });
  const secretKeys = async (name: string) => {
    const secret = await api.get<KubeObject & { data: Record<string, string> }>(
      'v1',
      'Secret',
      NS,
      name,
    );
    const decode = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString();
    return {
      accessKeyId: decode('AWS_ACCESS_KEY_ID'),
      secretAccessKey: decode('AWS_SECRET_ACCESS_KEY'),
    };
  };
  const create = (name: string, s3: Record<string, unknown>) => {
    const resource = s3MountResource(s3);
    (resource.metadata as Record<string, unknown>).name = name;
    return api.create(resource as KubeObject);
  };
  async function preflightOrigin(endpoint: string, bucket: string, origin: string) {
    const response = await fetch(`${endpoint}/${bucket}/x`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
    });
    return response.headers.get('access-control-allow-origin');
  }

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    await kubectlWithInput(
      kube().kubeconfig,
      ['apply', '--server-side', '-f', '-'],
      await rookCrds(),
    );
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['storagemount'],
      logName: 's3-mounts',
      namespace: NS,
    }));
    await api.create(
      opaqueSecret(NS, 'rgw-admin', {
        AWS_ACCESS_KEY_ID: rgw().adminAccessKey,
        AWS_SECRET_ACCESS_KEY: rgw().adminSecretKey,
      }),
    );
    await api.create(
      opaqueSecret(NS, 'weed-admin', {
        AWS_ACCESS_KEY_ID: weed().adminAccessKey,
        AWS_SECRET_ACCESS_KEY: weed().adminSecretKey,
      }),
    );
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
  });

  it('rgw: creates the user and the bucket, and verifies every setting', async () => {
    await create('on-rgw', {
      provider: 'rgw',
      bucket: { name: 'drive-rgw', reclaimPolicy: 'Retain' },
      endpoints: { internal: rgw().endpoint, public: 'https://s3.example.com' },
      credentials: undefined,
      adminCredentials: { name: 'rgw-admin' },
    });
    await ready('on-rgw');
    for (const type of [
      'BucketReady',
      'VersioningEnabled',
      'CorsConfigured',
      'LifecycleConfigured',
    ])
      expect(await condition('on-rgw', type)).toMatchObject({ status: 'True' });
    const status = (await mount('on-rgw'))?.status;
    expect(status?.endpoints).toEqual({
      internal: rgw().endpoint,
      public: 'https://s3.example.com',
    });
    expect(status?.credentialsSecretRef).toEqual({ name: 'on-rgw-s3-credentials' });
    const client = bucketClient({
      endpoint: rgw().endpoint,
      region: 'us-east-1',
      credentials: await secretKeys('on-rgw-s3-credentials'),
    });
    await client.send(new PutObjectCommand({ Bucket: 'drive-rgw', Key: 'a b+c%.txt', Body: 'v1' }));
    await client.send(new PutObjectCommand({ Bucket: 'drive-rgw', Key: 'a b+c%.txt', Body: 'v2' }));
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: 'drive-rgw' }));
    expect(versions.Versions).toHaveLength(2);
    client.destroy();
    const user = await rgw().radosgwAdmin(['user', 'info', '--uid=lasuite-apps-on-rgw']);
    expect(user).toContain('lasuite-apps-on-rgw');
  });

  it('adds the host of every DriveInstance on the bucket to its CORS origins', async () => {
    expect(
      await preflightOrigin(rgw().endpoint, 'drive-rgw', 'https://files.apps.test'),
    ).toBeNull();
    const drive = driveInstanceResource({
      host: 'files.apps.test',
      storageRef: { name: 'on-rgw' },
    });
    (drive.metadata as Record<string, unknown>).name = 'files';
    await api.create(drive as KubeObject);
    expect(
      await eventually(() =>
        preflightOrigin(rgw().endpoint, 'drive-rgw', 'https://files.apps.test').then(
          (origin) => origin ?? undefined,
        ),
      ),
    ).toBe('https://files.apps.test');
    expect(await preflightOrigin(rgw().endpoint, 'drive-rgw', 'https://other.test')).toBeNull();
  });

  it('external: verifies a bucket with given credentials, and stalls naming the endpoint when they are wrong', async () => {
    const client = bucketClient({
      endpoint: rgw().endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: rgw().adminAccessKey, secretAccessKey: rgw().adminSecretKey },
    });
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await client.send(new CreateBucketCommand({ Bucket: 'drive-external' }));
    client.destroy();
    await api.create(
      opaqueSecret(NS, 'external-keys', {
        AWS_ACCESS_KEY_ID: rgw().adminAccessKey,
        AWS_SECRET_ACCESS_KEY: rgw().adminSecretKey,
      }),
    );
    await create('external', {
      bucket: { name: 'drive-external' },
      endpoints: { internal: rgw().endpoint, public: 'https://s3.example.com' },
      credentials: { name: 'external-keys' },
    });
    await ready('external');
    await api.create(
      opaqueSecret(NS, 'wrong-keys', {
        AWS_ACCESS_KEY_ID: rgw().adminAccessKey,
        AWS_SECRET_ACCESS_KEY: 'not-the-secret',
      }),
    );
    await create('wrong', {
      bucket: { name: 'drive-external' },
      endpoints: { internal: rgw().endpoint, public: 'https://s3.example.com' },
      credentials: { name: 'wrong-keys' },
    });
    const stalled = await eventually(() => condition('wrong', 'Stalled'));
    expect(stalled).toMatchObject({ status: 'True', reason: 'InvalidCredentials' });
    expect(stalled.message).toContain(rgw().endpoint);
    expect(stalled.message).not.toContain('not-the-secret');
  });

  it('reports an unreachable endpoint as Reconciling, never Stalled', async () => {
    await create('unreachable', {
      bucket: { name: 'drive-external' },
      endpoints: { internal: 'http://127.0.0.1:9', public: 'https://s3.example.com' },
      credentials: { name: 'external-keys' },
    });
    const reconciling = await eventually(async () => {
      const found = await condition('unreachable', 'Reconciling');
      return found?.reason === 'EndpointUnreachable' ? found : undefined;
    });
    expect(reconciling.status).toBe('True');
    expect(await condition('unreachable', 'Stalled')).toBeUndefined();
  });

  it('seaweedfs: creates an identity limited to the bucket, and verifies every setting', async () => {
    await create('on-weed', {
      provider: 'seaweedfs',
      bucket: { name: 'drive-weed' },
      endpoints: { internal: weed().endpoint, public: 'https://s3.example.com' },
      credentials: undefined,
      adminCredentials: { name: 'weed-admin' },
    });
    await ready('on-weed');
    const client = bucketClient({
      endpoint: weed().endpoint,
      region: 'us-east-1',
      credentials: await secretKeys('on-weed-s3-credentials'),
    });
    await client.send(new PutObjectCommand({ Bucket: 'drive-weed', Key: 'ünï.txt', Body: 'x' }));
    const body = await client.send(new GetObjectCommand({ Bucket: 'drive-weed', Key: 'ünï.txt' }));
    expect(await body.Body?.transformToString()).toBe('x');
    client.destroy();
  });

  it('rook: claims a bucket, and becomes Ready once Rook (played by this test) binds it', async () => {
    await create('on-rook', {
      provider: 'rook',
      rook: { storageClassName: 'rook-ceph-bucket' },
      bucket: { name: 'drive-rook' },
      endpoints: { public: 'https://s3.example.com' },
      credentials: undefined,
    });
    const waiting = await eventually(async () => {
      const found = await condition('on-rook', 'Ready');
      return found?.reason === 'WaitingForBucketClaim' ? found : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(JSON.stringify((await mount('on-rook'))?.status), { cause: error });
    });
    expect(waiting.status).toBe('False');
    const claim = await api.get<KubeObject & { spec: Record<string, unknown> }>(
      'objectbucket.io/v1alpha1',
      'ObjectBucketClaim',
      NS,
      'on-rook',
    );
    expect(claim.spec).toMatchObject({
      bucketName: 'drive-rook',
      storageClassName: 'rook-ceph-bucket',
    });
    expect(claim.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'StorageMount',
      name: 'on-rook',
    });
    // Rook's part: a user and the bucket on RGW, the claim's Secret and ConfigMap, phase Bound.
    const keys = { accessKeyId: 'ROOKOBCUSER0001', secretAccessKey: 'rook-obc-secret-0001' };
    await rgw().radosgwAdmin([
      'user',
      'create',
      '--uid=obc-apps-on-rook',
      '--display-name=obc',
      `--access-key=${keys.accessKeyId}`,
      `--secret-key=${keys.secretAccessKey}`,
    ]);
    const client = bucketClient({
      endpoint: rgw().endpoint,
      region: 'us-east-1',
      credentials: keys,
    });
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await client.send(new CreateBucketCommand({ Bucket: 'drive-rook' }));
    client.destroy();
    await api.create(
      opaqueSecret(NS, 'on-rook', {
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      }),
    );
    const port = new URL(rgw().endpoint).port;
    await api.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'on-rook', namespace: NS },
      data: {
        BUCKET_HOST: '127.0.0.1',
        BUCKET_PORT: port,
        BUCKET_NAME: 'drive-rook',
        BUCKET_REGION: 'us-east-1',
      },
    });
    await api.request(
      'PATCH',
      `/apis/objectbucket.io/v1alpha1/namespaces/${NS}/objectbucketclaims/on-rook/status`,
      {
        body: { status: { phase: 'Bound' } },
        contentType: 'application/merge-patch+json',
      },
    );
    await ready('on-rook');
    expect((await mount('on-rook'))?.status?.endpoints).toEqual({
      internal: `http://127.0.0.1:${port}`,
      public: 'https://s3.example.com',
    });
    expect((await mount('on-rook'))?.status?.credentialsSecretRef).toEqual({ name: 'on-rook' });
  });

  it('rook with a CephObjectStoreUser: copies the user keys next to the mount and creates the bucket', async () => {
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rook-ceph' } });
    await create('on-rook-user', {
      provider: 'rook',
      rook: {
        storageClassName: 'rook-ceph-bucket',
        identity: 'CephObjectStoreUser',
        objectStore: { name: 'store', namespace: 'rook-ceph' },
      },
      bucket: { name: 'drive-rook-user' },
      endpoints: { public: 'https://s3.example.com' },
      credentials: undefined,
    });
    const user = await eventually(() =>
      api.getOrUndefined<KubeObject & { spec: Record<string, unknown> }>(
        'ceph.rook.io/v1',
        'CephObjectStoreUser',
        'rook-ceph',
        'lasuite-apps-on-rook-user',
      ),
    );
    expect(user.spec).toMatchObject({ store: 'store' });
    // Rook's part: the RGW user and its Secret in the store's namespace.
    const keys = { accessKeyId: 'ROOKCOSUUSER0001', secretAccessKey: 'rook-cosu-secret-0001' };
    await rgw().radosgwAdmin([
      'user',
      'create',
      '--uid=lasuite-apps-on-rook-user',
      '--display-name=cosu',
      `--access-key=${keys.accessKeyId}`,
      `--secret-key=${keys.secretAccessKey}`,
    ]);
    await api.create(
      opaqueSecret('rook-ceph', 'rook-ceph-object-user-store-lasuite-apps-on-rook-user', {
        AccessKey: keys.accessKeyId,
        SecretKey: keys.secretAccessKey,
        Endpoint: rgw().endpoint,
      }),
    );
    await ready('on-rook-user');
    expect(await secretKeys('on-rook-user-s3-credentials')).toEqual(keys);
    expect((await mount('on-rook-user'))?.status?.endpoints?.internal).toBe(rgw().endpoint);
  });

  it('Retain: deleting the mount leaves the bucket and every object version in place', async () => {
    const keys = await secretKeys('on-rgw-s3-credentials');
    await api.delete(GV, 'StorageMount', NS, 'on-rgw');
    await eventually(async () => (await mount('on-rgw')) === undefined);
    const client = bucketClient({
      endpoint: rgw().endpoint,
      region: 'us-east-1',
      credentials: keys,
    });
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: 'drive-rgw' }));
    expect(versions.Versions?.map((version) => version.Key)).toEqual(['a b+c%.txt', 'a b+c%.txt']);
    client.destroy();
  });

  it('Delete: waits while a DriveInstance references the mount, then removes every version, the bucket and the user', async () => {
    await create('doomed', {
      provider: 'rgw',
      bucket: { name: 'drive-doomed', reclaimPolicy: 'Delete' },
      endpoints: { internal: rgw().endpoint, public: 'https://s3.example.com' },
      credentials: undefined,
      adminCredentials: { name: 'rgw-admin' },
    });
    await ready('doomed');
    const client = bucketClient({
      endpoint: rgw().endpoint,
      region: 'us-east-1',
      credentials: await secretKeys('doomed-s3-credentials'),
    });
    for (const body of ['1', '2'])
      await client.send(new PutObjectCommand({ Bucket: 'drive-doomed', Key: 'f', Body: body }));
    client.destroy();
    const drive = driveInstanceResource({
      host: 'doomed.apps.test',
      storageRef: { name: 'doomed' },
    });
    (drive.metadata as Record<string, unknown>).name = 'user-of-doomed';
    await api.create(drive as KubeObject);
    await sleep(500);
    await api.delete(GV, 'StorageMount', NS, 'doomed');
    const blocked = await eventually(async () => {
      const found = await condition('doomed', 'DeletionBlocked');
      return found?.status === 'True' ? found : undefined;
    });
    expect(blocked.message).toContain('user-of-doomed');
    await sleep(1000);
    expect(await mount('doomed')).toBeDefined();
    await api.delete(GV, 'DriveInstance', NS, 'user-of-doomed');
    await eventually(async () => (await mount('doomed')) === undefined, 60);
    await expect(
      rgw().radosgwAdmin(['bucket', 'stats', '--bucket=drive-doomed']),
    ).rejects.toThrow();
    await expect(
      rgw().radosgwAdmin(['user', 'info', '--uid=lasuite-apps-doomed']),
    ).rejects.toThrow();
  });
});

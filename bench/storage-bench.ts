// `npm run bench:storage`: how long a StorageMount takes from `kubectl apply` to Ready, per
// provider, against the test bed's real Ceph RGW and SeaweedFS, next to a reference run in the
// same process: the same provider and S3 calls made directly through the port adapters, without
// the API server, the informers or the work queue. The ratio is the operator's overhead.
// For rook, the clock starts when Rook (played by this script) binds the claim.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { startOperator, type RunningOperator } from '../operator/src/operator/operator.js';
import {
  bucketClient,
  configureBucket,
  type BucketSettings,
} from '../operator/src/ports/s3/bucket.js';
import { ensureRgwUser } from '../operator/src/ports/s3/rgw-admin.js';
import { ensureSeaweedIdentity } from '../operator/src/ports/s3/seaweedfs-iam.js';
import type { KubeObject } from '../operator/src/runtime/api-client.js';
import { opaqueSecret } from '../operator/src/test-support/drive-seed.js';
import { s3MountResource } from '../operator/src/test-support/resources.js';
import { startCephRgw } from '../operator/src/testbed/ceph-rgw.js';
import { startControlPlane } from '../operator/src/testbed/control-plane.js';
import { installCrds } from '../operator/src/testbed/kube.js';
import { startSeaweedFs } from '../operator/src/testbed/seaweedfs.js';
import { kubectlWithInput, rookCrds } from '../operator/src/testbed/third-party-crds.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NS = 'bench';
const GV = 'lasuite.selfhost.dev/v1alpha1';
const SETTINGS: BucketSettings = {
  versioning: 'Enabled',
  cors: { allowedOrigins: [], maxAgeSeconds: 3000 },
  lifecycle: { noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7 },
};
const ALL = { createBucket: true, versioning: true, cors: true, lifecycle: true };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const randomKeys = () => ({
  accessKeyId: `BENCH${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(24).toString('base64url'),
});

async function main() {
  const controlPlane = await startControlPlane({ controllerManager: false });
  const rgw = await startCephRgw();
  const weed = await startSeaweedFs();
  let operator: RunningOperator | undefined;
  try {
    await installCrds(controlPlane.kubeconfig);
    await kubectlWithInput(
      controlPlane.kubeconfig,
      ['apply', '--server-side', '-f', '-'],
      await rookCrds(),
    );
    // After the CRDs: the operator waits for its caches to sync before it returns.
    operator = await startOperator({
      kubeconfig: controlPlane.kubeconfig,
      metricsPort: 0,
      leaderElection: false,
      leaseNamespace: 'default',
      identity: 'bench',
      controllers: ['storagemount'],
      log: pino({ level: 'warn' }),
    });
    const api = operator.manager.api;
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const rgwAdmin = {
      endpoint: rgw.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: rgw.adminAccessKey, secretAccessKey: rgw.adminSecretKey },
    };
    const weedAdmin = {
      endpoint: weed.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: weed.adminAccessKey, secretAccessKey: weed.adminSecretKey },
    };
    for (const [name, admin] of [
      ['rgw-admin', rgwAdmin],
      ['weed-admin', weedAdmin],
    ] as const)
      await api.create(
        opaqueSecret(NS, name, {
          AWS_ACCESS_KEY_ID: admin.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: admin.credentials.secretAccessKey,
        }),
      );

    const readyAfter = async (name: string, since: number): Promise<number> => {
      for (;;) {
        const mount = await api.getOrUndefined<
          KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
        >(GV, 'StorageMount', NS, name);
        if (mount?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          return performance.now() - since;
        await sleep(20);
      }
    };
    const applyMount = (name: string, s3: Record<string, unknown>) => {
      const resource = s3MountResource(s3);
      resource.metadata = { name, namespace: NS };
      return api.create(resource as KubeObject);
    };

    const results: { provider: string; operator: number[]; direct: number[] }[] = [];
    const measure = async (
      provider: string,
      viaOperator: (round: number) => Promise<number>,
      direct: (round: number) => Promise<number>,
    ) => {
      const row = { provider, operator: [] as number[], direct: [] as number[] };
      for (let round = 0; round < ROUNDS; round += 1) {
        row.operator.push(await viaOperator(round));
        row.direct.push(await direct(round));
      }
      results.push(row);
    };
    const timed = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return performance.now() - start;
    };

    await measure(
      'rgw (admin-ops user + bucket)',
      async (round) => {
        const start = performance.now();
        await applyMount(`rgw-${String(round)}`, {
          provider: 'rgw',
          bucket: { name: `op-rgw-${String(round)}` },
          endpoints: { internal: rgw.endpoint, public: 'https://s3.example.com' },
          credentials: undefined,
          adminCredentials: { name: 'rgw-admin' },
        });
        return readyAfter(`rgw-${String(round)}`, start);
      },
      (round) =>
        timed(async () => {
          const keys = randomKeys();
          await ensureRgwUser(rgwAdmin, {
            uid: `ref-rgw-${String(round)}`,
            displayName: 'ref',
            keys,
          });
          await configureBucket(
            {
              endpoint: rgw.endpoint,
              region: 'us-east-1',
              credentials: keys,
              bucket: `ref-rgw-${String(round)}`,
            },
            SETTINGS,
            ALL,
          );
        }),
    );
    await measure(
      'seaweedfs (IAM identity + bucket)',
      async (round) => {
        const start = performance.now();
        await applyMount(`weed-${String(round)}`, {
          provider: 'seaweedfs',
          bucket: { name: `op-weed-${String(round)}` },
          endpoints: { internal: weed.endpoint, public: 'https://s3.example.com' },
          credentials: undefined,
          adminCredentials: { name: 'weed-admin' },
        });
        return readyAfter(`weed-${String(round)}`, start);
      },
      (round) =>
        timed(async () => {
          const { keys } = await ensureSeaweedIdentity(weedAdmin, {
            userName: `ref-weed-${String(round)}`,
            bucket: `ref-weed-${String(round)}`,
          });
          await configureBucket(
            {
              endpoint: weed.endpoint,
              region: 'us-east-1',
              credentials: keys,
              bucket: `ref-weed-${String(round)}`,
            },
            SETTINGS,
            ALL,
          );
        }),
    );
    // external: the bucket and its Secret exist before the clock starts, as they would.
    const adminClient = bucketClient(rgwAdmin);
    await api.create(
      opaqueSecret(NS, 'media-credentials', {
        AWS_ACCESS_KEY_ID: rgwAdmin.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: rgwAdmin.credentials.secretAccessKey,
      }),
    );
    for (let round = 0; round < ROUNDS; round += 1)
      for (const prefix of ['op-ext', 'ref-ext'])
        await adminClient.send(new CreateBucketCommand({ Bucket: `${prefix}-${String(round)}` }));
    adminClient.destroy();
    await measure(
      'external (given credentials, existing bucket)',
      async (round) => {
        const start = performance.now();
        await applyMount(`ext-${String(round)}`, {
          bucket: { name: `op-ext-${String(round)}` },
          endpoints: { internal: rgw.endpoint, public: 'https://s3.example.com' },
        });
        return readyAfter(`ext-${String(round)}`, start);
      },
      (round) =>
        timed(() =>
          configureBucket({ ...rgwAdmin, bucket: `ref-ext-${String(round)}` }, SETTINGS, {
            ...ALL,
            createBucket: false,
          }),
        ),
    );
    await measure(
      'rook (ObjectBucketClaim Bound → Ready)',
      async (round) => {
        const name = `rook-${String(round)}`;
        const bucket = `op-rook-${String(round)}`;
        await applyMount(name, {
          provider: 'rook',
          rook: { storageClassName: 'rook-ceph-bucket' },
          bucket: { name: bucket },
          endpoints: { public: 'https://s3.example.com' },
          credentials: undefined,
        });
        while (
          !(await api.getOrUndefined('objectbucket.io/v1alpha1', 'ObjectBucketClaim', NS, name))
        )
          await sleep(20);
        // Rook's part: user, bucket, Secret and ConfigMap, then the claim's phase.
        const keys = randomKeys();
        await ensureRgwUser(rgwAdmin, { uid: `obc-${name}`, displayName: 'obc', keys });
        const client = bucketClient({
          endpoint: rgw.endpoint,
          region: 'us-east-1',
          credentials: keys,
        });
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        client.destroy();
        await api.create(
          opaqueSecret(NS, name, {
            AWS_ACCESS_KEY_ID: keys.accessKeyId,
            AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
          }),
        );
        await api.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: NS },
          data: { BUCKET_HOST: '127.0.0.1', BUCKET_PORT: new URL(rgw.endpoint).port },
        });
        const start = performance.now();
        await api.request(
          'PATCH',
          `/apis/objectbucket.io/v1alpha1/namespaces/${NS}/objectbucketclaims/${name}/status`,
          { body: { status: { phase: 'Bound' } }, contentType: 'application/merge-patch+json' },
        );
        return readyAfter(name, start);
      },
      async (round) => {
        const client = bucketClient(rgwAdmin);
        await client.send(new CreateBucketCommand({ Bucket: `ref-rook-${String(round)}` }));
        client.destroy();
        return timed(() =>
          configureBucket({ ...rgwAdmin, bucket: `ref-rook-${String(round)}` }, SETTINGS, {
            ...ALL,
            createBucket: false,
          }),
        );
      },
    );

    const out = (text: string) => process.stdout.write(`${text}\n`);
    out('\n| Provider | apply → Ready (median) | same calls direct (median) | ratio |');
    out('|---|---|---|---|');
    for (const row of results) {
      const operatorMs = median(row.operator);
      const directMs = median(row.direct);
      out(
        `| ${row.provider} | ${operatorMs.toFixed(0)} ms | ${directMs.toFixed(0)} ms | ${(operatorMs / directMs).toFixed(2)}× |`,
      );
    }
    out('');
    for (const row of results)
      out(
        `raw ${row.provider}: operator ${JSON.stringify(row.operator.map(Math.round))}; direct ${JSON.stringify(row.direct.map(Math.round))}`,
      );
  } finally {
    await operator?.stop();
    await weed.stop();
    await rgw.stop();
    await controlPlane.stop();
  }
}

await main();

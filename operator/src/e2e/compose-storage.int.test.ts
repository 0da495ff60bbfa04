// The storage part of a rendered Compose project, run as rendered: the seaweedfs service (real
// SeaweedFS with the rendered command and admin identity) and the storage-init one-shot (the
// operator's own bucket code from the operator image), in the emulated Compose network.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { composeExample } from '../test-support/compose-render.js';
import { s3Client } from '../testbed/s3-client.js';
import { startSeaweedFs, type SeaweedFs } from '../testbed/seaweedfs.js';
import {
  composeFixture,
  runComposeServices,
  s3ClientInside,
  type ComposeFixture,
  type RunningProject,
} from '../test-support/compose-run.js';

const DEV = join(REPO_ROOT, 'examples/compose/dev');
const BUCKET = 'drive-media-storage';

describe('Compose storage: seaweedfs and storage-init as rendered', () => {
  let fixture: ComposeFixture;
  let running: RunningProject;

  beforeAll(async () => {
    fixture = await composeFixture([DEV]);
    const project = await fixture.load();
    running = await runComposeServices(project, {
      inside: ['seaweedfs', 'storage-init'],
      expose: [{ service: 'seaweedfs', port: 8333 }],
    });
    await running.start('seaweedfs');
    await running.namespace.waitTcp('seaweedfs', 8333, 90_000);
  });
  afterAll(async () => {
    await running.stop();
    await fixture.remove();
  });

  it('creates the bucket identity, leaves its keys for Drive, and sets versioning, CORS and lifecycle', async () => {
    const output = await running.runOnce('storage-init');
    expect(output).toContain(
      'SeaweedFS identity lasuite-drive-media, limited to bucket drive-media-storage: created',
    );
    const directory = join(running.volumes['storage-credentials'] ?? '', 'drive-media');
    const keys = {
      accessKeyId: (await readFile(join(directory, 'AWS_ACCESS_KEY_ID'), 'utf8')).trim(),
      secretAccessKey: (await readFile(join(directory, 'AWS_SECRET_ACCESS_KEY'), 'utf8')).trim(),
    };
    const drive = s3ClientInside(running.namespace, 'seaweedfs', 8333, keys);
    expect((await drive.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe(
      'Enabled',
    );
    const cors = await drive.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    expect(cors.CORSRules?.[0]?.AllowedOrigins).toEqual(['https://drive.dev.lan']);
    const lifecycle = await drive.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }),
    );
    expect(lifecycle.Rules?.[0]?.NoncurrentVersionExpiration?.NoncurrentDays).toBe(30);
    await drive.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'item/x/probe.txt', Body: 'x' }));
    drive.destroy();
  });

  it('runs again without changing the keys', async () => {
    const directory = join(running.volumes['storage-credentials'] ?? '', 'drive-media');
    const before = await readFile(join(directory, 'AWS_SECRET_ACCESS_KEY'), 'utf8');
    const output = await running.runOnce('storage-init');
    expect(output).toContain(': unchanged');
    expect(await readFile(join(directory, 'AWS_SECRET_ACCESS_KEY'), 'utf8')).toBe(before);
  });

  it('gives Drive an identity limited to its bucket', async () => {
    const admin = s3ClientInside(running.namespace, 'seaweedfs', 8333, {
      accessKeyId: fixture.env.SEAWEEDFS_ADMIN__AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: fixture.env.SEAWEEDFS_ADMIN__AWS_SECRET_ACCESS_KEY ?? '',
    });
    await admin.send(new CreateBucketCommand({ Bucket: 'someone-else' }));
    const directory = join(running.volumes['storage-credentials'] ?? '', 'drive-media');
    const drive = s3ClientInside(running.namespace, 'seaweedfs', 8333, {
      accessKeyId: (await readFile(join(directory, 'AWS_ACCESS_KEY_ID'), 'utf8')).trim(),
      secretAccessKey: (await readFile(join(directory, 'AWS_SECRET_ACCESS_KEY'), 'utf8')).trim(),
    });
    await expect(
      drive.send(new PutObjectCommand({ Bucket: 'someone-else', Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const listed = await admin.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toContain(BUCKET);
    admin.destroy();
    drive.destroy();
  });
});

describe('Compose storage: storage-init on an external bucket', () => {
  let store: SeaweedFs;
  let admin: S3Client;
  beforeAll(async () => {
    store = await startSeaweedFs();
    admin = s3Client(store.endpoint, store.adminAccessKey, store.adminSecretKey);
    await admin.send(new CreateBucketCommand({ Bucket: 'team-drive' }));
  });
  afterAll(async () => {
    admin.destroy();
    await store.stop();
  });

  /** The single-host example on an external store reached as s3.internal:9000. */
  async function externalFixture(external: string) {
    const single = composeExample('single-host');
    const files: Record<string, string> = {};
    for (const file of ['drive.yaml', 'identity.yaml', 'editors.yaml', 'compose-project.yaml'])
      files[file] = await readFile(join(single, file), 'utf8');
    files['storage.yaml'] = `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: StorageMount
metadata: { name: drive-media }
spec:
  type: s3
  s3:
    provider: external
    bucket: { name: team-drive }
    endpoints: { internal: 'http://s3.internal:9000', public: 'https://s3.example.com' }
    credentials: { name: drive-s3 }
${external}`;
    return composeFixture(files, {
      env: {
        DRIVE_S3__AWS_ACCESS_KEY_ID: store.adminAccessKey,
        DRIVE_S3__AWS_SECRET_ACCESS_KEY: store.adminSecretKey,
      },
    });
  }

  async function storageInit(external: string) {
    const fixture = await externalFixture(external);
    const running = await runComposeServices(await fixture.load(), {
      inside: ['storage-init'],
      outside: {
        's3.internal': [
          { port: 9000, target: { host: '127.0.0.1', port: Number(new URL(store.endpoint).port) } },
        ],
      },
    });
    try {
      return await running.runToEnd('storage-init');
    } finally {
      await running.stop();
      await fixture.remove();
    }
  }

  it('configures what it may with the keys given in .env, and reads it back', async () => {
    const result = await storageInit('');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('bucket team-drive at http://s3.internal:9000: exists');
    expect(
      (await admin.send(new GetBucketVersioningCommand({ Bucket: 'team-drive' }))).Status,
    ).toBe('Enabled');
  });

  it('fails, saying what to do, when a setting it may only verify does not match', async () => {
    await admin.send(
      new PutBucketCorsCommand({
        Bucket: 'team-drive',
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['https://elsewhere.example'], AllowedMethods: ['GET'] }],
        },
      }),
    );
    const result = await storageInit('    external: { manageCors: false }\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'storage-init: bucket team-drive does not keep its cors configuration; configure it on the store, or let storage-init do it (s3.external.manage*: true)',
    );
  });
});

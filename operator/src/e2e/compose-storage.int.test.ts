// The storage part of a rendered Compose project, run as rendered: the seaweedfs service (real
// SeaweedFS with the rendered command and admin identity) and the storage-init one-shot (the
// operator's own bucket code from the operator image), in the emulated Compose network.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  ListBucketsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
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

  it('gives Drive an identity that sees its bucket only', async () => {
    const admin = s3ClientInside(running.namespace, 'seaweedfs', 8333, {
      accessKeyId: fixture.env.SEAWEEDFS_ADMIN__AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: fixture.env.SEAWEEDFS_ADMIN__AWS_SECRET_ACCESS_KEY ?? '',
    });
    const buckets = await admin.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((bucket) => bucket.Name)).toContain(BUCKET);
    admin.destroy();
  });
});

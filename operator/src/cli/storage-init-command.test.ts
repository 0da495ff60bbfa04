import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storageInitCommand } from './storage-init-command.js';

describe('lasuitectl storage-init', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'storage-init-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function runWith(config: unknown, env: NodeJS.ProcessEnv) {
    const path = join(work, 'config.json');
    await writeFile(path, JSON.stringify(config));
    let stderr = '';
    const code = await storageInitCommand(
      path,
      { stdout: () => undefined, stderr: (text) => (stderr += text) },
      env,
    );
    return { code, stderr };
  }

  it('refuses a configuration it does not understand, naming the field', async () => {
    const result = await runWith({ storageMount: 'x', provider: 'rook' }, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/config\.json is not a storage-init configuration: .*provider/s);
  });

  it('says which key is missing from its environment', async () => {
    const result = await runWith(
      {
        storageMount: 'drive-media',
        provider: 'external',
        endpoint: 'http://127.0.0.1:1',
        region: 'us-east-1',
        bucket: 'drive-media',
        settings: {
          versioning: 'Enabled',
          cors: { allowedOrigins: ['https://drive.example.com'], maxAgeSeconds: 3000 },
          lifecycle: { noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7 },
        },
        permissions: { createBucket: false, versioning: true, cors: true, lifecycle: true },
      },
      { S3_ACCESS_KEY_ID: 'id' },
    );
    expect(result).toEqual({
      code: 1,
      stderr:
        'storage-init: S3_SECRET_ACCESS_KEY is not set: the Compose file passes it from .env\n',
    });
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { lasuitectl } from '../test-support/lasuitectl.js';

const example = (path: string) => join(REPO_ROOT, 'examples', path);

describe('lasuitectl', () => {
  it('validates the production example', async () => {
    const result = await lasuitectl('validate', example('production'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('5 lasuite.selfhost.dev resources valid');
  });

  it('exits 1 with a located error for invalid input', async () => {
    const result = await lasuitectl('validate', example('invalid/unpinned-version.yaml'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unpinned-version.yaml:7:12 (document 1, DriveInstance drive)');
    expect(result.stderr).toContain('spec.version = "latest": latest is not a pinned version');
  });

  it('exits 2 on usage errors and unreadable paths', async () => {
    expect((await lasuitectl()).code).toBe(2);
    expect((await lasuitectl('validate')).code).toBe(2);
    expect((await lasuitectl('frobnicate')).code).toBe(2);
    expect((await lasuitectl('validate', '/nonexistent/file.yaml')).stderr).toContain(
      'cannot read /nonexistent/file.yaml',
    );
  });

  it('renders Drive env without a secret value, marking what only the cluster knows', async () => {
    const result = await lasuitectl('render', example('production'), '-n', 'drive');
    expect(result.code).toBe(0);
    const documents = parseAllDocuments(result.stdout).map(
      (doc) => doc.toJS() as Record<string, unknown> | null,
    );
    const configMap = documents.find((doc) => doc?.kind === 'ConfigMap') as {
      metadata: { namespace: string };
      data: Record<string, string>;
    };
    expect(configMap.metadata.namespace).toBe('drive');
    expect(configMap.data.MEDIA_BASE_URL).toBe('https://drive.example.com');
    for (const secret of [
      'DJANGO_SECRET_KEY',
      'DB_PASSWORD',
      'AWS_S3_SECRET_ACCESS_KEY',
      'OIDC_RP_CLIENT_SECRET',
    ]) {
      expect(configMap.data).not.toHaveProperty(secret);
    }
    expect(result.stdout).toContain(
      '# placeholder: AWS_S3_ENDPOINT_URL comes from ObjectBucketClaim drive-media',
    );
    expect(configMap.data.AWS_S3_ENDPOINT_URL).toMatch(/\.invalid$/);
  });

  it('renders into a directory with -o', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lasuitectl-'));
    try {
      const result = await lasuitectl('render', example('production'), '-o', out);
      expect(result.code).toBe(0);
      expect(await readFile(join(out, 'drive.yaml'), 'utf8')).toContain('kind: ConfigMap');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses to render invalid input', async () => {
    const result = await lasuitectl('render', example('invalid/tls-both-sources.yaml'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing rendered');
  });

  it('prints its version and the Drive release its contract was read from', async () => {
    const result = await lasuitectl('version');
    expect(result.stdout).toMatch(
      /^lasuitectl \d+\.\d+\.\d+\napi lasuite.selfhost.dev\/v1alpha1\ndrive contract v0\.21\.1/,
    );
  });

  it('runs as a program', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'operator/src/cli/lasuitectl.ts'), 'version'],
      { cwd: REPO_ROOT },
    );
    expect(stdout).toContain('lasuitectl');
  });
});

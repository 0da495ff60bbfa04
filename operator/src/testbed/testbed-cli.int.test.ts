// make testbed-up / testbed-down, end to end: every variable the issue names, a usable
// kubectl from the env file, and no process left behind.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { isAlive } from './processes.js';

const run = promisify(execFile);

describe('testbed-cli up and down', () => {
  it('starts every server, writes .testbed/env, and stops all of them', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'lasuite-testbed-cli-'));
    const env = { ...process.env, LASUITE_TESTBED_DIR: directory };
    const cli = join(REPO_ROOT, 'operator/src/testbed/testbed-cli.ts');
    try {
      await run(process.execPath, ['--import', 'tsx', cli, 'up'], {
        env,
        cwd: REPO_ROOT,
        timeout: 240_000,
      });
      const envFile = await readFile(join(directory, 'env'), 'utf8');
      for (const name of [
        'KUBECONFIG',
        'RGW_S3_ENDPOINT',
        'RGW_ACCESS_KEY',
        'RGW_SECRET_KEY',
        'SEAWEEDFS_S3_ENDPOINT',
        'SEAWEEDFS_ACCESS_KEY',
        'SEAWEEDFS_SECRET_KEY',
        'TRAEFIK_BIN',
        'NGINX_BIN',
        'SMB_HOST',
        'SMB_PORT',
        'SMB_HARDENED_PORT',
        'SMB_SHARE',
        'SMB_USER',
        'SMB_PASSWORD',
        'OIDC_ISSUER',
        'PATH',
      ]) {
        expect(envFile).toMatch(new RegExp(`^export ${name}=`, 'm'));
      }
      const { stdout } = await run('bash', [
        '-c',
        `. ${join(directory, 'env')} && kubectl get --raw /version`,
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ major: '1' });

      const { pids } = JSON.parse(await readFile(join(directory, 'state.json'), 'utf8')) as {
        pids: number[];
      };
      expect(pids.length).toBeGreaterThanOrEqual(10);
      expect(pids.every(isAlive)).toBe(true);
      await run(process.execPath, ['--import', 'tsx', cli, 'down'], {
        env,
        cwd: REPO_ROOT,
        timeout: 120_000,
      });
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      await run(process.execPath, ['--import', 'tsx', cli, 'down'], { env, cwd: REPO_ROOT }).catch(
        () => undefined,
      );
      await rm(directory, { recursive: true, force: true });
    }
  });
});

// `make run`, the README's first command, as a user without a cluster runs it: it starts a
// local control plane and IdP, applies examples/production, runs the operator, prints how to
// watch it, and (with FOR) stops everything it started after printing the resources' state.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { binaries } from '../testbed/binaries.js';

const run = promisify(execFile);

function makeRun(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('make', ['--no-print-directory', 'run', 'FOR=20'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(true);
    });
  });

describe('make run on a machine without a cluster', () => {
  let directory: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lasuite-make-run-'));
    // kubectl ignores ~/.kube/config when KUBECONFIG is set; so does `make run`.
    result = await makeRun({ ...process.env, KUBECONFIG: join(directory, 'absent') });
  }, 600_000);

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('starts a local control plane, applies the example and says how to watch it', () => {
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('no kubeconfig; starting a local control plane');
    expect(result.output).toContain('applied examples/production to namespace drive');
    expect(result.output).toMatch(/KUBECONFIG=\S+ \S*kubectl get driveinstances -A -w/);
  });

  it('has every example resource reporting what it waits for', () => {
    const row = (resource: string) =>
      result.output.split('\n').find((line) => line.includes(`.lasuite.selfhost.dev/${resource} `));
    expect(row('drive')).toMatch(/^drive\s+driveinstance\S+\s+False\s+Waiting\w+/);
    for (const resource of ['drive-media', 'team-share', 'collabora'])
      expect(row(resource)).toMatch(/\s(True|False)\s+[A-Z]\w+/);
    // The example's issuer is replaced by the local IdP, where the operator registers the client
    // and checks its credentials: nothing is sent to sso.example.com.
    expect(row('drive-login')).toMatch(/\sTrue\s+Succeeded\s+http:\/\/127\.0\.0\.1:\d+\s/);
    expect(result.output).not.toContain('example.com/realms');
    // The share is moved to a loopback port where nothing listens: not even a DNS query for
    // files.example.com, and an unreachable share is worth retrying, not Stalled.
    expect(row('team-share')).toMatch(/\sFalse\s+ShareUnreachable\s+smb:\/\/127\.0\.0\.1:\d+\//);
    expect(result.output).not.toContain('files.example.com');
  });

  it('stops the operator and the control plane it started', async () => {
    const metricsPort = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)\//.exec(result.output)?.[1]);
    expect(metricsPort).toBeGreaterThan(0);
    expect(await refused(metricsPort)).toBe(true);
    const kubeconfig = /KUBECONFIG=(\S+) /.exec(result.output)?.[1] ?? '';
    if (existsSync(kubeconfig)) {
      await expect(
        run(binaries.kubectl(), ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], {
          timeout: 10_000,
        }),
      ).rejects.toThrow();
    }
  });
});

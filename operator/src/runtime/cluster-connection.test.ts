import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { inCluster, loadClusterConnection } from './cluster-connection.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
const CERT = Buffer.from('-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
const KEY = Buffer.from('-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');

function kubeconfig(cluster: object, user: object) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'main',
    contexts: [
      { name: 'other', context: { cluster: 'other', user: 'other' } },
      { name: 'main', context: { cluster: 'main', user: 'main' } },
    ],
    clusters: [
      { name: 'other', cluster: { server: 'https://192.0.2.1' } },
      { name: 'main', cluster: { server: 'https://127.0.0.1:6443/', ...cluster } },
    ],
    users: [
      { name: 'other', user: { token: 'wrong' } },
      { name: 'main', user },
    ],
  });
}

describe('loadClusterConnection', () => {
  let directory: string;
  const file = (name: string) => join(directory, name);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lasuite-kubeconfig-'));
    await writeFile(file('ca.crt'), CA);
    await writeFile(file('client.crt'), CERT);
    await writeFile(file('client.key'), KEY);
    await writeFile(file('token'), 'from-file\n');
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads inline client certificates of the current context', async () => {
    await writeFile(
      file('inline'),
      kubeconfig(
        { 'certificate-authority-data': CA.toString('base64') },
        {
          'client-certificate-data': CERT.toString('base64'),
          'client-key-data': KEY.toString('base64'),
        },
      ),
    );
    const connection = await loadClusterConnection(file('inline'));
    expect(connection.server).toBe('https://127.0.0.1:6443');
    expect(await connection.auth()).toEqual({
      ca: CA,
      cert: CERT,
      key: KEY,
      rejectUnauthorized: true,
    });
  });

  it('resolves file paths relative to the kubeconfig, and reads token files', async () => {
    await writeFile(
      file('paths'),
      kubeconfig(
        { 'certificate-authority': 'ca.crt', 'tls-server-name': 'kubernetes' },
        { tokenFile: file('token') },
      ),
    );
    const auth = await (await loadClusterConnection(file('paths'))).auth();
    expect(auth).toEqual({
      ca: CA,
      rejectUnauthorized: true,
      servername: 'kubernetes',
      authorization: 'Bearer from-file',
    });
  });

  it('honours insecure-skip-tls-verify and static tokens', async () => {
    await writeFile(
      file('insecure'),
      kubeconfig({ 'insecure-skip-tls-verify': true }, { token: 'abc' }),
    );
    const auth = await (await loadClusterConnection(file('insecure'))).auth();
    expect(auth).toMatchObject({ rejectUnauthorized: false, authorization: 'Bearer abc' });
  });

  it('uses $KUBECONFIG when no file is given', async () => {
    await writeFile(file('from-env'), kubeconfig({}, { token: 'env' }));
    vi.stubEnv('KUBECONFIG', file('from-env'));
    const auth = await (await loadClusterConnection()).auth();
    expect(auth.authorization).toBe('Bearer env');
  });

  it('leaves exec plugins to client-node, which runs them', async () => {
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: 'from-exec' },
    });
    await writeFile(
      file('exec'),
      kubeconfig(
        {},
        {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'sh',
            args: ['-c', `echo '${credential}'`],
            interactiveMode: 'Never',
          },
        },
      ),
    );
    const auth = await (await loadClusterConnection(file('exec'))).auth();
    expect(auth.authorization).toBe('Bearer from-exec');
  });

  it('names the file and the missing entry of a broken kubeconfig', async () => {
    await writeFile(
      file('broken'),
      stringify({ 'current-context': 'nowhere', contexts: [], clusters: [], users: [] }),
    );
    await expect(loadClusterConnection(file('broken'))).rejects.toThrow(
      `kubeconfig ${file('broken')}: no context named nowhere`,
    );
  });

  it('reads the service account of a pod', async () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', 'fd00::1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const connection = inCluster(directory);
    expect(connection.server).toBe('https://[fd00::1]:443');
    expect(await connection.auth()).toEqual({
      ca: CA,
      rejectUnauthorized: true,
      authorization: 'Bearer from-file',
    });
  });
});

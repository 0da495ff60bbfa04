// Clients for a test-bed API server, and installing this project's CRDs into it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { REPO_ROOT } from '../repo-root.js';
import { binaries } from './binaries.js';

const run = promisify(execFile);

export function kubeConfig(kubeconfigFile: string, token?: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigFile);
  if (token !== undefined) {
    const user = config.getCurrentUser();
    if (user) Object.assign(user, { token });
  }
  return config;
}

export function objectApi(kubeconfigFile: string, token?: string): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kubeConfig(kubeconfigFile, token));
}

/**
 * Installs every CRD in crds/ with kubectl, as users do, and waits until they are established.
 * (client-node's typed serializer would drop the x-kubernetes-* keys of a CRD object.)
 */
export async function installCrds(kubeconfigFile: string): Promise<string[]> {
  const kubectl = (args: readonly string[]) =>
    run(binaries.kubectl(), ['--kubeconfig', kubeconfigFile, ...args], { timeout: 60_000 });
  const { stdout } = await kubectl([
    'apply',
    '--server-side',
    '-f',
    join(REPO_ROOT, 'crds'),
    '-o',
    'name',
  ]);
  const names = stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/^.*\//, ''));
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    ...names.map((name) => `crd/${name}`),
  ]);
  return names;
}

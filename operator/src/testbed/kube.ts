// Clients for a test-bed API server, and installing this project's CRDs into it.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { REPO_ROOT } from '../repo-root.js';
import { ApiClient } from '../runtime/api-client.js';
import { loadClusterConnection } from '../runtime/cluster-connection.js';
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

/** The operator's own API client for a test-bed kubeconfig. */
export async function apiClient(kubeconfigFile: string): Promise<ApiClient> {
  return new ApiClient(await loadClusterConnection(kubeconfigFile));
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

/**
 * A kubeconfig for the operator's own ServiceAccount, bound to config/rbac/role.yaml, so a test
 * proves the least-privilege role is enough.
 */
export async function operatorServiceAccountKubeconfig(kubeconfigFile: string): Promise<string> {
  const kubectl = (args: readonly string[]) =>
    run(binaries.kubectl(), ['--kubeconfig', kubeconfigFile, ...args], { timeout: 60_000 });
  await kubectl(['create', 'namespace', 'lasuite-system']);
  await kubectl(['-n', 'lasuite-system', 'create', 'serviceaccount', 'lasuite-operator']);
  await kubectl(['apply', '-f', join(REPO_ROOT, 'config/rbac/role.yaml')]);
  const { stdout } = await kubectl([
    '-n',
    'lasuite-system',
    'create',
    'token',
    'lasuite-operator',
    '--duration=2h',
  ]);
  const config = kubeConfig(kubeconfigFile, stdout.trim());
  const path = `${kubeconfigFile}.operator`;
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
  return path;
}

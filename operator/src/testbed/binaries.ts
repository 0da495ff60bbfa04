// Where the test-bed binaries are, and the command that provides each one that is missing.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

export class MissingPrerequisiteError extends Error {
  override name = 'MissingPrerequisiteError';
}

/** hack/versions.env, the single file that pins every test-bed version. */
export const versions: Readonly<Record<string, string>> = Object.fromEntries(
  readFileSync(join(REPO_ROOT, 'hack/versions.env'), 'utf8')
    .split('\n')
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1] ?? '', match[2] ?? '']),
);

export function version(name: string): string {
  const value = versions[name];
  if (value === undefined) throw new Error(`hack/versions.env has no ${name}`);
  return value;
}

export const CACHE_DIR =
  process.env.LASUITE_CACHE_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lasuite-operator');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A binary built or installed into the cache by a hack/ script. */
export function cachedBinary(name: string, pinned: string, installCommand: string): string {
  const path = join(CACHE_DIR, 'bin', `${name}-${pinned}`);
  if (!executable(path)) {
    throw new MissingPrerequisiteError(
      `${name} ${pinned} is not in ${join(CACHE_DIR, 'bin')}: run ${installCommand}`,
    );
  }
  return path;
}

/** A binary from a Debian package. */
export function systemBinary(name: string, installCommand: string): string {
  const path = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
    .map((directory) => join(directory, name))
    .find(executable);
  if (path === undefined)
    throw new MissingPrerequisiteError(`${name} is not installed: run ${installCommand}`);
  return path;
}

export const INSTALL = {
  kubernetes: 'hack/build-go-tools.sh kubernetes',
  traefik: 'hack/build-go-tools.sh traefik',
  compose: 'hack/build-go-tools.sh compose',
  seaweedfs: 'hack/install-seaweedfs.sh',
  ceph: 'hack/install-debian-deps.sh ceph',
  samba: 'hack/install-debian-deps.sh samba',
  nginx: 'hack/install-debian-deps.sh nginx',
  redis: 'hack/install-debian-deps.sh redis',
  chromium: 'hack/install-debian-deps.sh chromium',
  mkcert: 'hack/install-debian-deps.sh mkcert',
} as const;

export const binaries = {
  kubeApiserver: () =>
    cachedBinary('kube-apiserver', version('KUBERNETES_VERSION'), INSTALL.kubernetes),
  kubeControllerManager: () =>
    cachedBinary('kube-controller-manager', version('KUBERNETES_VERSION'), INSTALL.kubernetes),
  kubectl: () => cachedBinary('kubectl', version('KUBERNETES_VERSION'), INSTALL.kubernetes),
  etcd: () => cachedBinary('etcd', version('ETCD_VERSION'), INSTALL.kubernetes),
  traefik: () => cachedBinary('traefik', version('TRAEFIK_VERSION'), INSTALL.traefik),
  composeConfig: () =>
    cachedBinary('compose-config', version('COMPOSE_GO_VERSION'), INSTALL.compose),
  weed: () => cachedBinary('weed', version('SEAWEEDFS_VERSION'), INSTALL.seaweedfs),
  nginx: () => systemBinary('nginx', INSTALL.nginx),
  redisServer: () => systemBinary('redis-server', INSTALL.redis),
  smbd: () => systemBinary('smbd', INSTALL.samba),
  chromium: () => systemBinary('chromium', INSTALL.chromium),
  mkcert: () => systemBinary('mkcert', INSTALL.mkcert),
} as const;

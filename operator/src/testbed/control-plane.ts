// A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, token auth, its own
// self-signed serving certificate) and optionally kube-controller-manager with the garbage
// collector and namespace controllers. No kubelet: pods stay Pending.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaries } from './binaries.js';
import {
  freePorts,
  httpOk,
  serverDirectory,
  startProcess,
  waitUntil,
  type ManagedProcess,
  removeServerDirectory,
} from './processes.js';

export interface ControlPlane {
  server: string;
  kubeconfig: string;
  /** A bearer token in group system:masters. */
  adminToken: string;
  /** Tokens of users with no permissions, for RBAC tests. */
  unprivilegedToken: string;
  caFile: string;
  directory: string;
  processes: ManagedProcess[];
  /** Stops kube-apiserver and starts it again on the same port and etcd (watch recovery tests). */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  controllerManager?: boolean;
  detached?: boolean;
}

function kubeconfigYaml(server: string, caFile: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: testbed',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${caFile}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: testbed',
    '  context:',
    '    cluster: testbed',
    '    user: admin',
    '    namespace: default',
    'current-context: testbed',
    '',
  ].join('\n');
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const directory = await serverDirectory('kube');
  const { etcdPort, etcdPeerPort, apiPort } = await freePorts(
    'etcdPort',
    'etcdPeerPort',
    'apiPort',
  );
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const managed of [...processes].reverse()) await managed.stop();
    await removeServerDirectory(directory);
  };
  try {
    const etcd = startProcess(
      binaries.etcd(),
      [
        '--name=testbed',
        `--data-dir=${join(directory, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${String(etcdPort)}`,
        `--advertise-client-urls=http://127.0.0.1:${String(etcdPort)}`,
        `--listen-peer-urls=http://127.0.0.1:${String(etcdPeerPort)}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${String(etcdPeerPort)}`,
        `--initial-cluster=testbed=http://127.0.0.1:${String(etcdPeerPort)}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      { logFile: join(directory, 'etcd.log'), detached: options.detached },
    );
    processes.push(etcd);
    await waitUntil('etcd', () => httpOk(`http://127.0.0.1:${String(etcdPort)}/health`), {
      process: etcd,
    });

    const certs = join(directory, 'certs');
    await mkdir(certs, { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(certs, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(certs, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const adminToken = randomBytes(24).toString('hex');
    const unprivilegedToken = randomBytes(24).toString('hex');
    await writeFile(
      join(certs, 'tokens.csv'),
      `${adminToken},admin,admin-uid,"system:masters"\n${unprivilegedToken},nobody,nobody-uid\n`,
      { mode: 0o600 },
    );
    const server = `https://127.0.0.1:${String(apiPort)}`;
    const apiserverArgs = [
      `--etcd-servers=http://127.0.0.1:${String(etcdPort)}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${String(apiPort)}`,
      `--cert-dir=${certs}`,
      // Room for the Services of hundreds of DriveInstances (four each) in the benchmarks.
      '--service-cluster-ip-range=10.0.0.0/16',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${join(certs, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(certs, 'sa.key')}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(certs, 'tokens.csv')}`,
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--profiling=false',
    ];
    const launchApiServer = async () => {
      const apiserver = startProcess(binaries.kubeApiserver(), apiserverArgs, {
        logFile: join(directory, 'kube-apiserver.log'),
        detached: options.detached,
      });
      try {
        await waitUntil('kube-apiserver', () => httpOk(`${server}/readyz`), {
          process: apiserver,
          timeoutMs: 120_000,
        });
      } catch (error) {
        await apiserver.stop();
        throw error;
      }
      return apiserver;
    };
    let apiserver = await launchApiServer();
    processes.push(apiserver);
    const restartApiServer = async () => {
      await apiserver.stop();
      const restarted = await launchApiServer();
      processes[processes.indexOf(apiserver)] = restarted;
      apiserver = restarted;
    };

    const caFile = join(certs, 'apiserver.crt');
    const kubeconfig = join(directory, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, caFile, adminToken), { mode: 0o600 });

    if (options.controllerManager ?? true) {
      const controllerManager = startProcess(
        binaries.kubeControllerManager(),
        [
          `--kubeconfig=${kubeconfig}`,
          '--controllers=garbage-collector-controller,namespace-controller',
          '--leader-elect=false',
          '--secure-port=0',
        ],
        { logFile: join(directory, 'kube-controller-manager.log'), detached: options.detached },
      );
      processes.push(controllerManager);
    }
    return {
      server,
      kubeconfig,
      adminToken,
      unprivilegedToken,
      caFile,
      directory,
      processes,
      restartApiServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

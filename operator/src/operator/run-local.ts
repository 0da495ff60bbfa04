// `make run`: the operator against the current kubeconfig, or, when there is none (or with
// `--local`), against a local control plane and IdP from the test bed; installs the CRDs,
// applies examples/production and prints how to watch it. `--for SECONDS` stops by itself after
// printing the resources' state (`make run FOR=30`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Document, parseAllDocuments } from 'yaml';
import { isMainModule } from '../cli/is-main-module.js';
import { REPO_ROOT } from '../repo-root.js';
import { binaries } from '../testbed/binaries.js';
import { startControlPlane, type ControlPlane } from '../testbed/control-plane.js';
import { installCrds } from '../testbed/kube.js';
import { startOidcProvider } from '../testbed/oidc-provider.js';
import { freePorts } from '../testbed/processes.js';
import { installThirdPartyCrds, kubectlWithInput } from '../testbed/third-party-crds.js';
import { startOperator } from './operator.js';

const run = promisify(execFile);
const NAMESPACE = 'drive';

/** The kubeconfig kubectl would use: every $KUBECONFIG entry when it is set, else ~/.kube/config. */
function configuredKubeconfig(): string | undefined {
  const fromEnvironment = process.env.KUBECONFIG?.split(':').filter((entry) => entry.length > 0);
  const candidates =
    fromEnvironment && fromEnvironment.length > 0
      ? fromEnvironment
      : [join(homedir(), '.kube', 'config')];
  return candidates.find((candidate) => existsSync(candidate));
}

/**
 * What a local control plane adds so that the example works on loopback and sends nothing to
 * the example.com hosts it names, not even a DNS query: the test-bed IdP as the OidcClient's
 * issuer, the SMB share on a loopback port where nothing listens (the operator reports it
 * unreachable), and the Secrets the example references (the IdP's registration token; a
 * generated SMB password).
 */
async function localIdentity(documents: Document[]): Promise<{ stop(): Promise<void> }> {
  const idp = await startOidcProvider();
  const { smbPort } = await freePorts('smbPort');
  for (const document of documents) {
    if (document.get('kind') === 'OidcClient') document.setIn(['spec', 'issuer'], idp.issuer);
    if (document.get('kind') === 'StorageMount' && document.getIn(['spec', 'type']) === 'smb') {
      document.setIn(['spec', 'smb', 'host'], '127.0.0.1');
      document.setIn(['spec', 'smb', 'port'], smbPort);
    }
  }
  const secrets: [string, Record<string, string>][] = [
    ['sso-registration', { token: idp.initialAccessToken }],
    ['team-share-smb', { username: 'svc-drive', password: randomBytes(18).toString('base64url') }],
  ];
  for (const [name, data] of secrets) {
    documents.push(
      new Document({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: NAMESPACE },
        type: 'Opaque',
        stringData: data,
      }),
    );
  }
  return idp;
}

async function reachable(kubeconfig: string): Promise<boolean> {
  try {
    await run(binaries.kubectl(), ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], {
      timeout: 10_000,
    });
    return true;
  } catch {
    return false;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { for: { type: 'string' }, local: { type: 'boolean', default: false } },
  });
  const out = (text: string) => process.stdout.write(`${text}\n`);
  // kubectl (and, without a cluster, the control plane) come from the test-bed build; cached.
  await run('bash', [join(REPO_ROOT, 'hack/build-go-tools.sh'), 'kubernetes', 'crds'], {
    timeout: 1_800_000,
  });
  const stops: (() => Promise<void>)[] = [];
  const configured = values.local ? undefined : configuredKubeconfig();
  let cluster: string;
  let useCluster = false;
  if (configured !== undefined && (await reachable(configured))) {
    out(`using the cluster of ${configured}`);
    cluster = configured;
    useCluster = true;
  } else {
    out(
      configured
        ? `the cluster of ${configured} does not answer; starting a local control plane`
        : 'no kubeconfig; starting a local control plane (kube-apiserver, etcd, kube-controller-manager on 127.0.0.1)',
    );
    const controlPlane: ControlPlane = await startControlPlane();
    stops.unshift(() => controlPlane.stop());
    cluster = controlPlane.kubeconfig;
    await installThirdPartyCrds(cluster);
  }
  const kubectl = (args: readonly string[]) =>
    run(binaries.kubectl(), ['--kubeconfig', cluster, ...args], { timeout: 60_000 });
  await installCrds(cluster);
  out('installed the lasuite.selfhost.dev CRDs');
  await kubectlWithInput(
    cluster,
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n`,
  );
  const example = parseAllDocuments(
    (await kubectl(['kustomize', join(REPO_ROOT, 'examples/production')])).stdout,
  ) as Document[];
  if (!useCluster) {
    const idp = await localIdentity(example);
    stops.unshift(() => idp.stop());
    out(
      "started a local OIDC provider as the example's issuer, pointed the SMB share at loopback, and created the Secrets it needs",
    );
  }
  await kubectlWithInput(
    cluster,
    ['apply', '--server-side', '-f', '-'],
    example.map((document) => document.toString()).join('---\n'),
  );
  out(`applied examples/production to namespace ${NAMESPACE}`);

  const operator = await startOperator({
    kubeconfig: cluster,
    metricsPort: 0,
    leaderElection: false,
    leaseNamespace: NAMESPACE,
    identity: 'make-run',
    log: pino({ level: 'warn' }),
  });
  stops.unshift(() => operator.stop());
  out(`operator running; metrics on http://127.0.0.1:${String(operator.port)}/metrics`);
  const kubectlCommand = onPath('kubectl') ? 'kubectl' : binaries.kubectl();
  out(
    `watch it with:\n  KUBECONFIG=${cluster} ${kubectlCommand} get driveinstances -A -w\n  KUBECONFIG=${cluster} ${kubectlCommand} get lasuite -A -o wide`,
  );

  const stop = async () => {
    for (const step of stops) await step();
  };
  if (values.for !== undefined) {
    await sleep(Number(values.for) * 1000);
    out((await kubectl(['get', 'lasuite', '-A'])).stdout);
    await stop();
    return;
  }
  out('Ctrl-C stops the operator (and what it started locally).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((directory) => directory.length > 0 && existsSync(join(directory, command)));
}

if (isMainModule(import.meta.url)) await main(process.argv.slice(2));

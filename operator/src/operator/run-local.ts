// `make run`: the operator against the current kubeconfig, or, when there is none, against a
// local control plane from the test bed; installs the CRDs, applies examples/production and
// prints how to watch it. `--for SECONDS` stops by itself after printing the resources' state.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { isMainModule } from '../cli/is-main-module.js';
import { REPO_ROOT } from '../repo-root.js';
import { binaries } from '../testbed/binaries.js';
import { startControlPlane, type ControlPlane } from '../testbed/control-plane.js';
import { installCrds } from '../testbed/kube.js';
import { installThirdPartyCrds, kubectlWithInput } from '../testbed/third-party-crds.js';
import { startOperator } from './operator.js';

const run = promisify(execFile);
const NAMESPACE = 'drive';

function configuredKubeconfig(): string | undefined {
  const candidates = [
    ...(process.env.KUBECONFIG?.split(':') ?? []),
    join(homedir(), '.kube', 'config'),
  ];
  return candidates.find((candidate) => candidate.length > 0 && existsSync(candidate));
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
  const { values } = parseArgs({ args: [...argv], options: { for: { type: 'string' } } });
  const out = (text: string) => process.stdout.write(`${text}\n`);
  // kubectl (and, without a cluster, the control plane) come from the test-bed build; cached.
  await run('bash', [join(REPO_ROOT, 'hack/build-go-tools.sh'), 'kubernetes', 'crds'], {
    timeout: 1_800_000,
  });
  let controlPlane: ControlPlane | undefined;
  let kubeconfig = configuredKubeconfig();
  if (kubeconfig && (await reachable(kubeconfig))) {
    out(`using the cluster of ${kubeconfig}`);
  } else {
    out(
      kubeconfig
        ? `the cluster of ${kubeconfig} does not answer; starting a local control plane`
        : 'no kubeconfig; starting a local control plane (kube-apiserver, etcd, kube-controller-manager on 127.0.0.1)',
    );
    controlPlane = await startControlPlane();
    kubeconfig = controlPlane.kubeconfig;
    await installThirdPartyCrds(kubeconfig);
  }
  const kubectl = (args: readonly string[]) =>
    run(binaries.kubectl(), ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
  await installCrds(kubeconfig);
  out('installed the lasuite.selfhost.dev CRDs');
  await kubectlWithInput(
    kubeconfig,
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n`,
  );
  await kubectl(['apply', '--server-side', '-k', join(REPO_ROOT, 'examples/production')]);
  out(`applied examples/production to namespace ${NAMESPACE}`);

  const operator = await startOperator({
    kubeconfig,
    metricsPort: 0,
    leaderElection: false,
    leaseNamespace: NAMESPACE,
    identity: 'make-run',
    log: pino({ level: 'warn' }),
  });
  out(`operator running; metrics on http://127.0.0.1:${String(operator.port)}/metrics`);
  out(
    `watch it with:\n  KUBECONFIG=${kubeconfig} kubectl get driveinstances -A -w\n  KUBECONFIG=${kubeconfig} kubectl get lasuite -A -o wide`,
  );

  const stop = async () => {
    await operator.stop();
    await controlPlane?.stop();
  };
  if (values.for !== undefined) {
    await sleep(Number(values.for) * 1000);
    out((await kubectl(['get', 'lasuite', '-A'])).stdout);
    await stop();
    return;
  }
  out('Ctrl-C stops the operator (and the local control plane).');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
}

if (isMainModule(import.meta.url)) await main(process.argv.slice(2));

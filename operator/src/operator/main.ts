#!/usr/bin/env node
// Entry point of the operator container: `node dist/operator/main.js [options]`.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { isMainModule } from '../cli/is-main-module.js';
import { startOperator } from './operator.js';

const USAGE = `lasuite-operator: reconciles DriveInstance, StorageMount, OidcClient and WopiClient

Options:
  --kubeconfig PATH        kubeconfig to use (in-cluster or $KUBECONFIG by default)
  --namespace NAME         watch one namespace only (all namespaces by default; env WATCH_NAMESPACE)
  --metrics-port PORT      port of /metrics, /healthz and /readyz (default 8080)
  --no-leader-election     run as the only writer without a Lease
  --lease-namespace NAME   namespace of the leader-election Lease (env POD_NAMESPACE, else default)
`;

export async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'metrics-port': { type: 'string', default: '8080' },
      'no-leader-election': { type: 'boolean', default: false },
      'lease-namespace': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const operator = await startOperator({
    kubeconfig: values.kubeconfig,
    namespace: values.namespace ?? process.env.WATCH_NAMESPACE,
    metricsPort: Number(values['metrics-port']),
    leaderElection: !values['no-leader-election'],
    leaseNamespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'default',
    identity: process.env.POD_NAME ?? `${hostname()}-${String(process.pid)}`,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    operator.manager.log.info({ signal }, 'shutting down');
    void operator.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
}

if (isMainModule(import.meta.url)) await main(process.argv.slice(2));

// An operator in the test process against a test-bed control plane, as the controller
// integration tests run it: audited logs, no leader election, one namespace of test objects.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startOperator,
  type ControllerName,
  type OperatorOptions,
  type RunningOperator,
} from '../operator/operator.js';
import type { ApiClient } from '../runtime/api-client.js';
import { auditedLogger, recordClusterSecretValues } from './log-audit.js';

export async function operatorUnderTest(
  kubeconfig: string,
  options: {
    controllers: readonly ControllerName[];
    /** Names the audited log file. */
    logName: string;
    namespace: string;
    cleanups?: OperatorOptions['cleanups'];
  },
): Promise<{ operator: RunningOperator; api: ApiClient }> {
  const operator = await startOperator({
    kubeconfig,
    metricsPort: 0,
    leaderElection: false,
    leaseNamespace: 'default',
    identity: 'test',
    controllers: options.controllers,
    cleanups: options.cleanups,
    log: auditedLogger(options.logName),
  });
  const api = operator.manager.api;
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace } });
  return { operator, api };
}

/** Records the cluster's Secret values for the log audit, then stops the operator. */
export async function stopOperatorUnderTest(operator: RunningOperator): Promise<void> {
  await recordClusterSecretValues(operator.manager.api);
  await operator.stop();
}

/** Polls until the probe returns something other than undefined or false. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  seconds = 30,
): Promise<T> {
  for (let attempt = 0; attempt < seconds * 5; attempt += 1) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await sleep(200);
  }
  throw new Error(`timed out after ${String(seconds)} s`);
}

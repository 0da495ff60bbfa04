// Two operator replicas on one API server: one leads and writes, the other waits; when the
// leader stops, the other takes over.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { auditedLogger } from '../test-support/log-audit.js';
import { startOperator, type RunningOperator } from './operator.js';

async function writes(operator: RunningOperator): Promise<number> {
  const metrics = await operator.manager.registry.getSingleMetricAsString(
    'lasuite_operator_api_requests_total',
  );
  return metrics
    .split('\n')
    .filter(
      (line) =>
        // Successful writes only: a follower's attempt to create the existing Lease answers 409.
        /verb="(apply|apply-status|create|update|patch|delete)"/.test(line) &&
        /code="2\d\d"/.test(line),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('leader election', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const replicas: RunningOperator[] = [];

  afterAll(async () => {
    for (const replica of replicas) await replica.stop().catch(() => undefined);
  });

  it('lets exactly one of two replicas lead, and hands over when it stops', async () => {
    await installCrds(kube().kubeconfig);
    for (const identity of ['replica-a', 'replica-b']) {
      replicas.push(
        await startOperator({
          kubeconfig: kube().kubeconfig,
          metricsPort: 0,
          leaderElection: true,
          leaseNamespace: 'default',
          identity,
          log: auditedLogger(`leader-election-${identity}`),
          onLostLease: () => undefined,
        }),
      );
    }
    const deadline = Date.now() + 30_000;
    while (replicas.filter((replica) => replica.isLeader()).length === 0 && Date.now() < deadline)
      await sleep(100);
    await sleep(3000);
    const leaders = replicas.filter((replica) => replica.isLeader());
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!;
    const follower = replicas.find((replica) => replica !== leader)!;
    expect(await writes(follower)).toBe(0);

    await leader.stop();
    const handover = Date.now() + 30_000;
    while (!follower.isLeader() && Date.now() < handover) await sleep(100);
    expect(follower.isLeader()).toBe(true);
  });
});

// `npm run test:chaos`: the operator process is SIGKILLed at random moments while 50
// DriveInstances reconcile (and change), 20 times; then it runs undisturbed. Everything must
// converge with no duplicate or orphan object and generated secrets unchanged.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import type { ApiClient } from '../runtime/api-client.js';
import { type KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { apiClient, installCrds } from '../testbed/kube.js';
import { installThirdPartyCrds } from '../testbed/third-party-crds.js';
import { seedDriveDependencies, seededDriveInstance } from '../test-support/drive-seed.js';

const NS = 'apps';
const INSTANCES = 50;
const TRIALS = 20;
const GROUP_VERSION = 'lasuite.selfhost.dev/v1alpha1';

describe('the operator under SIGKILL', () => {
  const kube = useServer(() => startControlPlane());
  let api: ApiClient;
  let operator: ChildProcess | undefined;

  const startOperatorProcess = () =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'operator/src/operator/main.ts'),
        '--kubeconfig',
        kube().kubeconfig,
        '--no-leader-election',
        '--metrics-port',
        '0',
      ],
      {
        stdio: 'ignore',
        env: { ...process.env, WATCH_NAMESPACE: NS },
      },
    );
  const kill = async (child: ChildProcess) => {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  };

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    await installThirdPartyCrds(kube().kubeconfig);
    api = await apiClient(kube().kubeconfig);
    await seedDriveDependencies(api, NS);
    for (let index = 0; index < INSTANCES; index += 1) {
      await api.create(seededDriveInstance(NS, `drive${String(index)}`));
    }
  }, 300_000);

  afterAll(async () => {
    if (operator) await kill(operator);
  });

  it(`converges after ${String(TRIALS)} kills, with no duplicate or orphan and the same generated secrets`, async () => {
    const generated = new Map<string, unknown>();
    for (let trial = 0; trial < TRIALS; trial += 1) {
      operator = startOperatorProcess();
      await sleep(300 + Math.random() * 2700);
      // Churn while it runs: a spec change the next operator must catch up with.
      await api.mergePatch(
        GROUP_VERSION,
        'DriveInstance',
        NS,
        `drive${String(trial % INSTANCES)}`,
        { spec: { worker: { replicas: 1 + (trial % 3) } } },
      );
      await kill(operator);
      operator = undefined;
      for (const object of (await api.list<KubeObject & { data?: unknown }>('v1', 'Secret', NS))
        .items) {
        if (object.metadata.name.endsWith('-generated') && !generated.has(object.metadata.name))
          generated.set(object.metadata.name, object.data);
      }
    }
    operator = startOperatorProcess();
    const deadline = Date.now() + 240_000;
    let converged = false;
    while (!converged && Date.now() < deadline) {
      await sleep(2000);
      const drives = (
        await api.list<
          KubeObject & { status?: { observedGeneration?: number; migrations?: { job?: string } } }
        >(GROUP_VERSION, 'DriveInstance', NS)
      ).items;
      converged = drives.every(
        (drive) =>
          drive.status?.observedGeneration === drive.metadata.generation &&
          drive.status?.migrations?.job !== undefined,
      );
    }
    expect(converged).toBe(true);
    await sleep(3000);

    const drives = (
      await api.list<KubeObject & { status?: { migrations?: { job?: string } } }>(
        GROUP_VERSION,
        'DriveInstance',
        NS,
      )
    ).items;
    const uids = new Map(drives.map((drive) => [drive.metadata.uid, drive]));
    const perDrive = new Map<string, string[]>();
    for (const [apiVersion, kind] of [
      ['apps/v1', 'Deployment'],
      ['v1', 'Service'],
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['batch/v1', 'Job'],
      ['batch/v1', 'CronJob'],
      ['policy/v1', 'PodDisruptionBudget'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['traefik.io/v1alpha1', 'IngressRoute'],
      ['traefik.io/v1alpha1', 'Middleware'],
    ] as const) {
      for (const object of (
        await api.list<KubeObject>(apiVersion, kind, NS, {
          labelSelector: 'app.kubernetes.io/managed-by=lasuite-operator',
        })
      ).items) {
        const owner = object.metadata.ownerReferences?.find(
          (reference) => reference.kind === 'DriveInstance',
        );
        // No orphan: every managed object belongs to an existing DriveInstance.
        expect(owner && uids.has(owner.uid), `${kind}/${object.metadata.name}`).toBe(true);
        const id = `${kind}/${object.metadata.name}`;
        perDrive.set(owner!.uid, [...(perDrive.get(owner!.uid) ?? []), id]);
        // Only the current migrations Job survives.
        if (kind === 'Job')
          expect(object.metadata.name).toBe(uids.get(owner!.uid)?.status?.migrations?.job);
      }
    }
    for (const [uid, ids] of perDrive)
      expect(new Set(ids).size, `duplicates for ${uid}`).toBe(ids.length);
    expect(perDrive.size).toBe(INSTANCES);
    // A generated Secret seen during the kills must have survived every later reconcile unchanged,
    // and every instance has exactly one after convergence.
    expect(generated.size).toBeGreaterThan(0);
    for (const drive of drives)
      expect(perDrive.get(drive.metadata.uid!)).toContain(
        `Secret/${drive.metadata.name}-generated`,
      );
    for (const [name, data] of generated) {
      expect(
        (await api.get<KubeObject & { data?: unknown }>('v1', 'Secret', NS, name)).data,
        name,
      ).toEqual(data);
    }
  });
});

// `npm run bench:operator`: the four operator benchmarks of docs/benchmarks.md, against the
// testbed's real kube-apiserver. The operator runs as its container does (`node dist/...`), in
// its own process, so its RSS is its own.
//   1. create → children applied and status written, vs `kubectl apply --server-side` of the same
//      objects, alternating, same control plane;
//   2. 200 DriveInstances from a cold operator start to all reconciled;
//   3. API writes per minute once nothing changes;
//   4. operator RSS with 200 instances (peak while reconciling, and idle).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GROUP_VERSION } from '../operator/src/api/kind.js';
import { CHILD_KINDS } from '../operator/src/controllers/owned-children.js';
import { REPO_ROOT } from '../operator/src/repo-root.js';
import type { ApiClient } from '../operator/src/runtime/api-client.js';
import { type KubeObject } from '../operator/src/runtime/api-client.js';
import { toMultiDocumentYaml } from '../operator/src/render/manifest-yaml.js';
import {
  seedDriveDependencies,
  seededDriveInstance,
} from '../operator/src/test-support/drive-seed.js';
import { startControlPlane } from '../operator/src/testbed/control-plane.js';
import { apiClient, installCrds } from '../operator/src/testbed/kube.js';
import { freePort, httpOk, waitUntil } from '../operator/src/testbed/processes.js';
import { installThirdPartyCrds } from '../operator/src/testbed/third-party-crds.js';
import { binaries } from '../operator/src/testbed/binaries.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SCALE = Number(process.env.BENCH_INSTANCES ?? 200);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const run = promisify(execFile);
/** The operator's JSON log, kept for reading after a run. */
const OPERATOR_LOG = process.env.BENCH_OPERATOR_LOG ?? join(tmpdir(), 'lasuite-bench-operator.log');

type DriveStatus = KubeObject & {
  status?: {
    observedGeneration?: number;
    migrations?: { job?: string };
    conditions?: { type: string; reason: string }[];
  };
};

/** Children applied and status written for the current generation, not a retry after an error. */
const reconciled = (drive: DriveStatus) =>
  drive.status?.observedGeneration === drive.metadata.generation &&
  drive.status?.migrations?.job !== undefined &&
  !drive.status.conditions?.some((condition) => condition.reason === 'TransientError');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function rssMiB(pid: number): Promise<number> {
  return readFile(`/proc/${String(pid)}/status`, 'utf8').then((status) => {
    const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kib ? Number(kib) / 1024 : Number.NaN;
  });
}

/** CPU seconds (user + system) a process has used. */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${String(pid)}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function scrapeMetrics(metricsPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
}

/** Mutating requests the operator has sent, by verb and code. */
function apiWrites(text: string): Map<string, number> {
  const writes = new Map<string, number>();
  const pattern = /^lasuite_operator_api_requests_total\{verb="(\w+)",code="(\d+)"\} (\d+)/gm;
  for (const [, verb, code, count] of text.matchAll(pattern)) {
    if (!['get', 'list', 'watch'].includes(verb!)) writes.set(`${verb!} ${code!}`, Number(count));
  }
  return writes;
}

/** The operator's own V8 heap use, from its default Node.js metrics. */
function heapUsedMiB(text: string): number {
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1]) / 2 ** 20;
}

const total = (counts: Map<string, number>) =>
  [...counts.values()].reduce((sum, count) => sum + count, 0);

/** Fields the apiserver allocates and would refuse to see copied into another namespace. */
function withoutServerAllocatedFields(kind: string, object: Record<string, any>): void {
  if (kind === 'Service') {
    delete object.spec.clusterIP;
    delete object.spec.clusterIPs;
  }
  if (kind === 'Job') {
    delete object.spec.selector;
    const template = object.spec.template.metadata as { labels: Record<string, string> };
    template.labels = Object.fromEntries(
      Object.entries(template.labels).filter(
        ([label]) => !label.endsWith('controller-uid') && !label.endsWith('job-name'),
      ),
    );
  }
}

/** The objects the operator applied for one DriveInstance (live, minus what the server added). */
async function appliedChildren(
  api: ApiClient,
  namespace: string,
  uid: string,
  targetNamespace: string,
) {
  const objects: KubeObject[] = [];
  for (const [apiVersion, kind] of CHILD_KINDS) {
    const list = await api
      .list<KubeObject & Record<string, unknown>>(apiVersion, kind, namespace)
      .catch(() => ({ items: [] }));
    for (const object of list.items) {
      if (!object.metadata.ownerReferences?.some((owner) => owner.uid === uid)) continue;
      const { metadata, status: _status, ...rest } = object;
      withoutServerAllocatedFields(kind, rest);
      objects.push({
        ...rest,
        apiVersion,
        kind,
        metadata: {
          name: metadata.name,
          namespace: targetNamespace,
          labels: metadata.labels,
          annotations: metadata.annotations,
        },
      });
    }
  }
  return objects;
}

/** The node flags of the operator image's ENTRYPOINT, so the figures are the container's. */
function containerNodeFlags(): string[] {
  const dockerfile = readFileSync(join(REPO_ROOT, 'operator/Dockerfile'), 'utf8');
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!entrypoint) throw new Error('operator/Dockerfile has no ENTRYPOINT in exec form');
  return (JSON.parse(entrypoint) as string[]).filter((part) => part.startsWith('--'));
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'lasuite-bench-'));
  const controlPlane = await startControlPlane();
  const kubeconfig = controlPlane.kubeconfig;
  const api = await apiClient(kubeconfig);
  const kubectl = binaries.kubectl();
  let operator: ChildProcess | undefined;
  const metricsPort = await freePort();
  const startOperator = async () => {
    const child = spawn(
      process.execPath,
      [
        ...containerNodeFlags(),
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        join(REPO_ROOT, 'operator/dist/operator/main.js'),
        '--kubeconfig',
        kubeconfig,
        '--no-leader-election',
        '--metrics-port',
        String(metricsPort),
      ],
      { stdio: ['ignore', openSync(OPERATOR_LOG, 'a'), openSync(OPERATOR_LOG, 'a')] },
    );
    await waitUntil(
      'operator /readyz',
      () => httpOk(`http://127.0.0.1:${String(metricsPort)}/readyz`),
      { timeoutMs: 30_000 },
    );
    return child;
  };
  const stopOperator = async (child: ChildProcess) => {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  try {
    await installCrds(kubeconfig);
    await installThirdPartyCrds(kubeconfig);

    // 1. One DriveInstance: the operator's create → status written vs kubectl's server-side apply.
    operator = await startOperator();
    const operatorMs: number[] = [];
    const kubectlMs: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const namespace = `latency-${String(round)}`;
      await seedDriveDependencies(api, namespace);
      const started = performance.now();
      const created = await api.create(seededDriveInstance(namespace, 'drive'));
      for (;;) {
        const live = await api.get<DriveStatus>(GROUP_VERSION, 'DriveInstance', namespace, 'drive');
        if (reconciled(live)) break;
        await sleep(5);
      }
      operatorMs.push(performance.now() - started);

      const reference = `kubectl-${String(round)}`;
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: reference } });
      const children = await appliedChildren(api, namespace, created.metadata.uid!, reference);
      const file = join(work, `${reference}.yaml`);
      await writeFile(file, toMultiDocumentYaml(children));
      const kubectlStarted = performance.now();
      await run(kubectl, [
        '--kubeconfig',
        kubeconfig,
        'apply',
        '--server-side',
        '--field-manager',
        'bench',
        '-f',
        file,
      ]);
      kubectlMs.push(performance.now() - kubectlStarted);
      if (round === 0)
        process.stdout.write(`one DriveInstance applies ${String(children.length)} objects\n`);
    }
    await stopOperator(operator);
    operator = undefined;

    // 2–4. Scale: 200 DriveInstances waiting for a cold operator.
    const namespace = 'scale';
    await seedDriveDependencies(api, namespace);
    for (let index = 0; index < SCALE; index += 1)
      await api.create(seededDriveInstance(namespace, `drive${String(index)}`));
    const coldStarted = performance.now();
    operator = await startOperator();
    let peakRss = 0;
    for (;;) {
      peakRss = Math.max(peakRss, await rssMiB(operator.pid!));
      const drives = (await api.list<DriveStatus>(GROUP_VERSION, 'DriveInstance', namespace)).items;
      if (drives.every(reconciled)) break;
      await sleep(200);
    }
    const coldSeconds = (performance.now() - coldStarted) / 1000;
    const coldCpuSeconds = await cpuSeconds(operator.pid!);

    await sleep(5000); // the last status writes and watch events settle
    const writesBefore = apiWrites(await scrapeMetrics(metricsPort));
    let idleRss = 0;
    for (let second = 0; second < IDLE_SECONDS; second += 1) {
      await sleep(1000);
      idleRss = Math.max(idleRss, await rssMiB(operator.pid!));
    }
    const idleMetrics = await scrapeMetrics(metricsPort);
    const writesAfter = apiWrites(idleMetrics);
    const idleWrites = total(writesAfter) - total(writesBefore);
    const idleByVerb = [...writesAfter].map(
      ([verb, count]) => `${verb}: ${String(count - (writesBefore.get(verb) ?? 0))}`,
    );
    peakRss = Math.max(peakRss, idleRss);
    const idleHeap = heapUsedMiB(idleMetrics);

    const ratio = median(operatorMs) / median(kubectlMs);
    const rows = [
      [
        'apply → status written (median of ' + String(ROUNDS) + ')',
        `${median(operatorMs).toFixed(0)} ms vs kubectl ${median(kubectlMs).toFixed(0)} ms = ${ratio.toFixed(2)}×`,
        '≤ 1.5×',
      ],
      [
        `${String(SCALE)} DriveInstances, cold start → all reconciled`,
        `${coldSeconds.toFixed(1)} s (operator CPU ${coldCpuSeconds.toFixed(1)} s)`,
        '≤ 30 s',
      ],
      [
        `API writes per minute, idle (${String(IDLE_SECONDS)} s window)`,
        ((idleWrites * 60) / IDLE_SECONDS).toFixed(1),
        '0',
      ],
      [
        `operator RSS with ${String(SCALE)} instances (peak / idle max)`,
        `${peakRss.toFixed(0)} / ${idleRss.toFixed(0)} MiB (V8 heap in use ${idleHeap.toFixed(0)} MiB)`,
        '≤ 150 MiB',
      ],
    ];
    process.stdout.write(
      `\n| Benchmark | Result | Goal |\n|---|---|---|\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`,
    );
    process.stdout.write(
      `\nidle writes by verb and code: ${idleByVerb.join(', ')}\nraw: operator ms ${JSON.stringify(operatorMs.map(Math.round))}; kubectl ms ${JSON.stringify(kubectlMs.map(Math.round))}\n`,
    );
  } finally {
    if (operator) await stopOperator(operator);
    await controlPlane.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();

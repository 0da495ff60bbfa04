// Server-side dry-run on a real API server of everything the Collabora renderer produces, for
// every edge, and of its pod under the restricted Pod Security Standard, which PodSecurity
// admission enforces on Pods (and only warns about on Deployments).
import { beforeAll, describe, expect, it } from 'vitest';
import { driveInstanceSpec } from '../api/drive-instance.js';
import { wopiClientSpec } from '../api/wopi-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { installThirdPartyCrds, kubectlWithInput } from '../testbed/third-party-crds.js';
import { driveInstanceResource, type Mutable } from '../test-support/resources.js';
import { collaboraObjects, type CollaboraInputs } from './collabora.js';
import type { KubeObject } from './drive-objects.js';
import { toMultiDocumentYaml } from './manifest-yaml.js';
import { TEST_EDGES } from '../test-support/edges.js';

const EDGES = TEST_EDGES;

function inputs(edge: Mutable, managed: Mutable): CollaboraInputs {
  return {
    owner: { name: 'office', namespace: 'apps', uid: '6f1c2a9e-0000-4000-8000-0000000000c0' },
    spec: wopiClientSpec.parse({ type: 'collabora', managed }).managed!,
    drives: [
      { host: 'drive.example.com', wopiSrcBaseUrl: 'https://drive.example.com' },
      { host: 'files.example.org', wopiSrcBaseUrl: 'https://files.example.org' },
    ],
    proofKey: { secretName: 'office-proof-key', key: 'proof_key', version: '1' },
    edge: driveInstanceSpec.parse(driveInstanceResource({ edge }).spec).edge,
  };
}

describe('Collabora objects on a real API server', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const dryRun = (objects: readonly unknown[], namespace: string) =>
    kubectlWithInput(
      kube().kubeconfig,
      ['apply', '--server-side', '--dry-run=server', '-n', namespace, '-o', 'name', '-f', '-'],
      toMultiDocumentYaml(objects),
    );

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    await installThirdPartyCrds(kube().kubeconfig);
    await kubectlWithInput(
      kube().kubeconfig,
      ['create', '-f', '-'],
      toMultiDocumentYaml([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'restricted',
            labels: {
              'pod-security.kubernetes.io/enforce': 'restricted',
              'pod-security.kubernetes.io/warn': 'restricted',
            },
          },
        },
      ]),
    );
  });

  const variants = Object.entries(EDGES).flatMap(([name, edge]) => [
    [`${name}, one replica, no host`, edge, {}] as const,
    [
      `${name}, three replicas and a host`,
      edge,
      { host: 'office.example.com', replicas: 3 },
    ] as const,
  ]);

  it.each(variants)('accepts every object (%s)', async (_variant, edge, managed) => {
    const objects = collaboraObjects(inputs(edge, managed));
    const { stdout } = await dryRun(objects, 'apps');
    expect(stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  const coolwsdPod = () => {
    const objects = collaboraObjects(inputs(EDGES.traefik, { replicas: 3 }));
    const deployment = objects.find((object) => object.kind === 'Deployment') as KubeObject & {
      spec: { template: { metadata: Mutable; spec: Mutable } };
    };
    const { template } = deployment.spec;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...template.metadata, name: 'office-collabora-check', namespace: 'restricted' },
      spec: structuredClone(template.spec),
    };
    return { deployment, pod };
  };

  it('admits the coolwsd pod under enforce=restricted, without a warning', async () => {
    const { deployment, pod } = coolwsdPod();
    const { stdout, stderr } = await dryRun(
      [pod, { ...deployment, metadata: { ...deployment.metadata, namespace: 'restricted' } }],
      'restricted',
    );
    expect(stdout.trim().split('\n')).toEqual([
      'pod/office-collabora-check',
      'deployment.apps/office-collabora',
    ]);
    expect(stderr).not.toMatch(/PodSecurity/);
  });

  it('refuses a pod that breaks the restricted standard (the check is not a no-op)', async () => {
    const { pod } = coolwsdPod();
    const [container] = pod.spec.containers as Mutable[];
    container!.securityContext = { allowPrivilegeEscalation: true };
    await expect(dryRun([pod], 'restricted')).rejects.toThrow(/violates PodSecurity "restricted/);
  });
});

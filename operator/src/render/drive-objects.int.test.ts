// Server-side dry-run on a real API server of everything the renderers produce, for every edge
// variant, and of what `lasuitectl render` prints for the examples.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run as lasuitectl } from '../cli/lasuitectl.js';
import { REPO_ROOT } from '../repo-root.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import { installThirdPartyCrds, kubectlWithInput } from '../testbed/third-party-crds.js';
import { renderInputs } from '../test-support/render-inputs.js';
import { renderDrive } from './drive-objects.js';
import { toMultiDocumentYaml } from './manifest-yaml.js';

const VARIANTS = {
  traefik: { type: 'traefik' },
  'traefik, media-auth straight to Drive': { type: 'traefik', mediaGateway: 'Disabled' },
  nginx: { type: 'nginx', ingressClassName: 'nginx' },
  gateway: {
    type: 'gateway',
    gateway: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }] },
  },
} as const;

describe('rendered objects on a real API server', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const dryRun = (yaml: string, namespace: string) =>
    kubectlWithInput(
      kube().kubeconfig,
      ['apply', '--server-side', '--dry-run=server', '-n', namespace, '-o', 'name', '-f', '-'],
      yaml,
    );

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    await installThirdPartyCrds(kube().kubeconfig);
    await kubectlWithInput(
      kube().kubeconfig,
      ['create', '-f', '-'],
      toMultiDocumentYaml(
        ['apps', 'drive'].map((name) => ({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name },
        })),
      ),
    );
  });

  it.each(Object.entries(VARIANTS))(
    'accepts every object of the %s variant',
    async (_variant, edge) => {
      const { objects } = renderDrive(
        renderInputs({ edge, backend: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } }),
      );
      const { stdout } = await dryRun(toMultiDocumentYaml(objects), 'apps');
      expect(stdout.trim().split('\n')).toHaveLength(objects.length);
    },
  );

  it('accepts what lasuitectl render prints for the examples, every edge', async () => {
    let printed = '';
    const code = await lasuitectl(
      [
        'render',
        join(REPO_ROOT, 'examples/production'),
        join(REPO_ROOT, 'examples/edge-variants'),
        '-n',
        'drive',
      ],
      { stdout: (text) => (printed += text), stderr: () => undefined },
    );
    expect(code).toBe(0);
    const { stdout } = await dryRun(printed, 'drive');
    const applied = stdout.trim().split('\n');
    expect(applied).toEqual(
      expect.arrayContaining([
        'ingressroute.traefik.io/drive-routes',
        'ingress.networking.k8s.io/drive-nginx-media',
        'httproute.gateway.networking.k8s.io/drive-gateway-routes',
      ]),
    );
  });
});

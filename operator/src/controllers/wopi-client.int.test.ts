// WopiClients on a real API server, their discovery served by a real HTTP server on loopback:
// Collabora's and OnlyOffice's documents become Ready with the extensions they open; a missing
// document is retried, never Stalled; a proof key without its old pair stalls.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOperator } from '../operator/operator.js';
import { REPO_ROOT } from '../repo-root.js';
import type { ApiClient, KubeObject } from '../runtime/api-client.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds } from '../testbed/kube.js';
import {
  eventually,
  operatorUnderTest,
  stopOperatorUnderTest,
} from '../test-support/operator-under-test.js';
import { driveInstanceResource, wopiClientResource } from '../test-support/resources.js';

const NS = 'apps';
const GV = 'lasuite.selfhost.dev/v1alpha1';
const FIXTURES = join(REPO_ROOT, 'operator/src/ports/wopi/__fixtures__');

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type Editor = KubeObject & {
  status?: {
    conditions?: Condition[];
    extensions?: string[];
    proofKey?: { present: boolean; hasOldKey: boolean };
  };
};

describe('WopiClients', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  let operator: RunningOperator;
  let api: ApiClient;
  let server: Server;
  let base: string;
  const documents = new Map<string, string>();

  const get = (name: string) => api.getOrUndefined<Editor>(GV, 'WopiClient', NS, name);
  const withReason = (name: string, type: string, reason: string) =>
    eventually(async () => {
      const found = (await get(name))?.status?.conditions?.find((entry) => entry.type === type);
      return found?.reason === reason ? found : undefined;
    });
  const create = (name: string, path: string, type = 'collabora') => {
    const resource = wopiClientResource({ type, external: { discoveryUrl: `${base}${path}` } });
    resource.metadata = { name, namespace: NS };
    return api.create(resource as KubeObject);
  };

  beforeAll(async () => {
    const collabora = await readFile(join(FIXTURES, 'collabora-discovery.xml'), 'utf8');
    documents.set('/collabora/hosting/discovery', collabora);
    documents.set(
      '/onlyoffice/hosting/discovery',
      await readFile(join(FIXTURES, 'onlyoffice-discovery.xml'), 'utf8'),
    );
    documents.set(
      '/no-old-key/hosting/discovery',
      collabora.replace(/ oldexponent="[^"]*"/, '').replace(/ oldmodulus="[^"]*"/, ''),
    );
    server = createServer((request, response) => {
      const body = documents.get(request.url ?? '');
      response.statusCode = body === undefined ? 404 : 200;
      response.setHeader('content-type', 'text/xml');
      response.end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
    await installCrds(kube().kubeconfig);
    ({ operator, api } = await operatorUnderTest(kube().kubeconfig, {
      controllers: ['wopiclient'],
      logName: 'wopi-clients',
      namespace: NS,
    }));
  });

  afterAll(async () => {
    await stopOperatorUnderTest(operator);
    await new Promise((resolve) => server.close(resolve));
  });

  it('deploys a managed Collabora for the DriveInstances that use it, and waits for it', async () => {
    const drive = driveInstanceResource({
      host: 'drive.apps.test',
      wopiClientRefs: [{ name: 'managed' }],
    });
    drive.metadata = { name: 'office-user', namespace: NS };
    await api.create(drive as KubeObject);
    const resource = wopiClientResource({ external: undefined, managed: {} });
    resource.metadata = { name: 'managed', namespace: NS };
    await api.create(resource as KubeObject);
    // No kubelet here: the Deployment never becomes available, and the editor says so.
    const waiting = await withReason('managed', 'EditorAvailable', 'Progressing');
    expect(waiting.message).toContain('no available replica');
    const deployments = await api.list<KubeObject & { spec: any }>('apps/v1', 'Deployment', NS);
    const deployment = deployments.items.find((item) =>
      item.metadata.ownerReferences?.some((owner) => owner.kind === 'WopiClient'),
    );
    if (!deployment) throw new Error('no Deployment owned by the WopiClient');
    const env = JSON.stringify(deployment.spec.template.spec.containers[0].env);
    expect(env).toContain('https://drive.apps.test');
    const proofKey = await api.get<KubeObject & { data: Record<string, string> }>(
      'v1',
      'Secret',
      NS,
      'managed-collabora-proof-key',
    );
    expect(Buffer.from(proofKey.data.proof_key ?? '', 'base64').toString()).toContain(
      'PRIVATE KEY',
    );
    // Deleted by someone else: restored.
    await api.delete('apps/v1', 'Deployment', NS, deployment.metadata.name);
    await eventually(async () => {
      const again = await api.getOrUndefined('apps/v1', 'Deployment', NS, deployment.metadata.name);
      return again !== undefined && again.metadata.uid !== deployment.metadata.uid;
    });
  });

  it('validates Collabora discovery and lists the extensions it edits', async () => {
    await create('collabora', '/collabora/hosting/discovery');
    await withReason('collabora', 'Ready', 'Succeeded');
    const status = (await get('collabora'))?.status;
    expect(status?.extensions).toEqual(expect.arrayContaining(['docx', 'odt', 'xlsx']));
    expect(status?.proofKey).toEqual({ present: true, hasOldKey: true });
  });

  it('validates OnlyOffice discovery', async () => {
    await create('onlyoffice', '/onlyoffice/hosting/discovery', 'onlyoffice');
    await withReason('onlyoffice', 'Ready', 'Succeeded');
    expect((await get('onlyoffice'))?.status?.extensions).toEqual(expect.arrayContaining(['docx']));
  });

  it('retries a discovery URL that answers 404, without Stalled', async () => {
    await create('missing', '/nothing/hosting/discovery');
    const reconciling = await withReason('missing', 'Reconciling', 'DiscoveryUnreachable');
    expect(reconciling.message).toContain('404');
    expect(
      (await get('missing'))?.status?.conditions?.some((entry) => entry.type === 'Stalled'),
    ).toBe(false);
  });

  it("stalls on a proof key without its old pair, which Drive's parser fails on", async () => {
    await create('no-old-key', '/no-old-key/hosting/discovery');
    const stalled = await withReason('no-old-key', 'Stalled', 'ProofKeyIncomplete');
    expect(stalled.message).toContain('oldmodulus');
    expect(await withReason('no-old-key', 'DiscoveryValid', 'ProofKeyIncomplete')).toMatchObject({
      status: 'False',
    });
  });
});

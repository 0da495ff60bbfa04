// CRDs of the projects the rendered objects target, for server-side dry-runs: Traefik's, Gateway
// API's and Rook's real CRDs from their Go modules (downloaded by hack/build-go-tools.sh crds), and
// schema-less stand-ins for cert-manager and CloudNativePG, whose objects the unit tests validate
// against their published schemas instead.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { toMultiDocumentYaml } from '../render/manifest-yaml.js';
import { binaries, MissingPrerequisiteError, version } from './binaries.js';

const run = promisify(execFile);

async function moduleDirectory(module: string, pinned: string): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOMODCACHE']);
  const directory = join(stdout.trim(), `${module}@${pinned}`);
  if (!existsSync(directory)) {
    throw new MissingPrerequisiteError(
      `${module}@${pinned} is not in the Go module cache: run hack/build-go-tools.sh crds`,
    );
  }
  return directory;
}

export async function thirdPartyCrdFiles(): Promise<string[]> {
  const traefik = await moduleDirectory(
    'github.com/traefik/traefik/v3',
    version('TRAEFIK_VERSION'),
  );
  const gateway = await moduleDirectory('sigs.k8s.io/gateway-api', version('GATEWAY_API_VERSION'));
  return [
    join(traefik, 'docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml'),
    ...['gatewayclasses', 'gateways', 'httproutes', 'referencegrants'].map((name) =>
      join(gateway, 'config/crd/standard', `gateway.networking.k8s.io_${name}.yaml`),
    ),
  ];
}

function standInCrd(group: string, kind: string, plural: string, versionName: string) {
  const openObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [
        {
          name: versionName,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: openObject, status: openObject },
            },
          },
        },
      ],
    },
  };
}

export const STAND_IN_CRDS = [
  standInCrd('cert-manager.io', 'Certificate', 'certificates', 'v1'),
  standInCrd('postgresql.cnpg.io', 'Cluster', 'clusters', 'v1'),
];

const ROOK_CRDS = new Set([
  'objectbucketclaims.objectbucket.io',
  'objectbuckets.objectbucket.io',
  'cephobjectstoreusers.ceph.rook.io',
]);

/** Rook's real ObjectBucketClaim, ObjectBucket and CephObjectStoreUser CRDs, from its module. */
export async function rookCrds(): Promise<string> {
  const rook = await moduleDirectory('github.com/rook/rook', version('ROOK_VERSION'));
  const documents = parseAllDocuments(
    await readFile(join(rook, 'deploy/examples/crds.yaml'), 'utf8'),
  );
  return documents
    .filter((document) => ROOK_CRDS.has(String(document.getIn(['metadata', 'name']))))
    .map((document) => document.toString())
    .join('---\n');
}

/** kubectl with a YAML document stream on stdin. */
export function kubectlWithInput(
  kubeconfig: string,
  args: readonly string[],
  input: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaries.kubectl(), ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`kubectl ${args.join(' ')} failed (${String(code)}):\n${stderr}`));
    });
    child.stdin.end(input);
  });
}

export async function installThirdPartyCrds(kubeconfig: string): Promise<void> {
  const kubectl = (args: readonly string[]) =>
    run(binaries.kubectl(), ['--kubeconfig', kubeconfig, ...args], { timeout: 120_000 });
  for (const file of await thirdPartyCrdFiles())
    await kubectl(['apply', '--server-side', '-f', file]);
  await kubectlWithInput(
    kubeconfig,
    ['apply', '--server-side', '-f', '-'],
    toMultiDocumentYaml(STAND_IN_CRDS),
  );
  await kubectlWithInput(kubeconfig, ['apply', '--server-side', '-f', '-'], await rookCrds());
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
}

// The CRDs on a real API server reject exactly what `lasuitectl validate` rejects, with the same
// messages, accept every valid example, and enforce the transition rules only they can check.
import { join } from 'node:path';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDocuments } from '../manifests/load-documents.js';
import { REPO_ROOT } from '../repo-root.js';
import { startControlPlane } from '../testbed/control-plane.js';
import { useServer } from '../testbed/fixtures.js';
import { installCrds, objectApi } from '../testbed/kube.js';
import {
  driveInstanceResource,
  s3MountResource,
  wopiClientResource,
  type Mutable,
} from '../test-support/resources.js';
import { RESOURCES, RULE_CASES } from '../test-support/rule-cases.js';

interface StatusError {
  code?: number;
  body?: unknown;
}

function statusMessage(error: unknown): string {
  const body = (error as StatusError).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return String((body as { message?: string } | undefined)?.message ?? error);
}

async function rejection(
  action: Promise<unknown>,
): Promise<{ code: number | undefined; message: string }> {
  try {
    await action;
  } catch (error) {
    return { code: (error as StatusError).code, message: statusMessage(error) };
  }
  throw new Error('the API server accepted it');
}

describe('the CRDs on a real API server', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  let api: KubernetesObjectApi;

  beforeAll(async () => {
    await installCrds(kube().kubeconfig);
    api = objectApi(kube().kubeconfig);
    for (const name of ['apps', 'drive']) {
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  });

  it('keeps the spec it is given', async () => {
    const created = await api.create(driveInstanceResource(), undefined, 'All');
    expect((created as unknown as { spec: Mutable }).spec).toMatchObject({
      host: 'drive.example.com',
      edge: { type: 'traefik' },
    });
  });

  it('accepts the minimal resource of every kind', async () => {
    for (const resource of RESOURCES) {
      await api.create(resource, undefined, 'All');
    }
  });

  it('accepts every resource of the production example', async () => {
    const documents = await loadDocuments([join(REPO_ROOT, 'examples/production')]);
    const resources = documents
      .map((document) => document.value as Mutable)
      .filter((object) => String(object.apiVersion).startsWith('lasuite.selfhost.dev/'));
    expect(resources).toHaveLength(5);
    for (const resource of resources) {
      (resource.metadata as Mutable).namespace = 'drive';
      await api.create(resource, undefined, 'All');
    }
  });

  it.each(RULE_CASES)(
    'rejects %s with the message lasuitectl gives',
    async (_what, resource, _path, message) => {
      const outcome = await rejection(api.create(resource, undefined, 'All'));
      expect(outcome.code).toBe(422);
      expect(outcome.message).toContain(message);
    },
  );

  it('rejects a DriveInstance name too long for its child objects', async () => {
    const resource = driveInstanceResource();
    (resource.metadata as Mutable).name = 'a'.repeat(37);
    const outcome = await rejection(api.create(resource, undefined, 'All'));
    expect(outcome.message).toContain('DriveInstance names are limited to 36 characters');
  });

  const transitions: [string, Mutable, (spec: Mutable) => void, string][] = [
    [
      'DriveInstance storageRef',
      driveInstanceResource(),
      (spec) => (spec.storageRef = { name: 'other' }),
      'storageRef is immutable',
    ],
    ['StorageMount type', s3MountResource(), (spec) => (spec.type = 'smb'), 'type is immutable'],
    [
      'StorageMount provider',
      s3MountResource(),
      (spec) => ((spec.s3 as Mutable).provider = 'seaweedfs'),
      's3.provider is immutable',
    ],
    [
      'StorageMount bucket',
      s3MountResource(),
      (spec) => ((spec.s3 as Mutable).bucket = { name: 'other-bucket' }),
      'bucket.name is immutable',
    ],
    [
      'WopiClient type',
      wopiClientResource(),
      (spec) => (spec.type = 'onlyoffice'),
      'type is immutable',
    ],
  ];

  it.each(transitions)('refuses to change %s', async (_what, resource, change, message) => {
    const created = await api.create(resource);
    const changed = structuredClone(created);
    change(changed.spec as Mutable);
    const outcome = await rejection(api.replace(changed));
    expect(outcome.code).toBe(422);
    expect(outcome.message).toContain(message);
    await api.delete(created);
  });
});

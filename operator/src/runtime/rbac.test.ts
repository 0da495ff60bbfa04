// The ClusterRole grants every kind the controllers touch, with explicit verbs and no wildcard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CHILD_KINDS } from '../controllers/owned-children.js';
import { REPO_ROOT } from '../repo-root.js';
import { resourceKind } from './resource-kinds.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const documents = parseAllDocuments(
  readFileSync(join(REPO_ROOT, 'config/rbac/role.yaml'), 'utf8'),
).map((document) => document.toJS() as { kind: string; rules?: Rule[] });
const clusterRules = documents.find((document) => document.kind === 'ClusterRole')?.rules ?? [];

function allowed(apiVersion: string, kind: string, verb: string): boolean {
  const { plural } = resourceKind(apiVersion, kind);
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  return clusterRules.some(
    (rule) =>
      rule.apiGroups.includes(group) &&
      rule.resources.includes(plural) &&
      rule.verbs.includes(verb),
  );
}

describe('the operator ClusterRole', () => {
  it('has no wildcard', () => {
    for (const document of documents) {
      for (const rule of document.rules ?? []) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
      }
    }
  });

  it('lets the controllers watch and write every child kind', () => {
    const kinds: [string, string][] = [
      ...CHILD_KINDS,
      ['v1', 'Secret'],
      ['cert-manager.io/v1', 'Certificate'],
      ['postgresql.cnpg.io/v1', 'Cluster'],
      ['traefik.io/v1alpha1', 'Middleware'],
      ['traefik.io/v1alpha1', 'IngressRoute'],
      ['traefik.io/v1alpha1', 'TraefikService'],
      ['networking.k8s.io/v1', 'Ingress'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
    ];
    for (const [apiVersion, kind] of kinds) {
      for (const verb of ['get', 'list', 'watch', 'patch', 'delete']) {
        expect(allowed(apiVersion, kind, verb), `${verb} ${kind}`).toBe(true);
      }
    }
  });

  it("lets the StorageMount controller manage Rook's claims and users", () => {
    for (const [apiVersion, kind] of [
      ['objectbucket.io/v1alpha1', 'ObjectBucketClaim'],
      ['ceph.rook.io/v1', 'CephObjectStoreUser'],
    ] as const) {
      for (const verb of ['get', 'patch', 'delete'])
        expect(allowed(apiVersion, kind, verb), `${verb} ${kind}`).toBe(true);
    }
  });

  it('lets the controllers read their kinds and write only their status', () => {
    for (const kind of ['DriveInstance', 'StorageMount', 'OidcClient', 'WopiClient']) {
      for (const verb of ['get', 'list', 'watch'])
        expect(allowed('lasuite.selfhost.dev/v1alpha1', kind, verb)).toBe(true);
      expect(allowed('lasuite.selfhost.dev/v1alpha1', kind, 'delete')).toBe(false);
    }
    expect(
      clusterRules.some(
        (rule) => rule.resources.includes('driveinstances/status') && rule.verbs.includes('patch'),
      ),
    ).toBe(true);
  });
});

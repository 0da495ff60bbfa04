import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import {
  driveInstanceResource,
  s3MountResource,
  wopiClientResource,
  type Mutable,
} from '../test-support/resources.js';
import type { Diagnostic } from './diagnostics.js';
import { loadDocuments, parseDocuments } from './load-documents.js';
import { validateDocuments } from './validate-resources.js';

const INVALID = join(REPO_ROOT, 'examples/invalid');

async function diagnosticsFor(file: string): Promise<Diagnostic[]> {
  return validateDocuments(await loadDocuments([join(INVALID, file)])).diagnostics.map((d) => ({
    ...d,
    file: d.file.slice(INVALID.length + 1),
  }));
}

function validate(...resources: Mutable[]) {
  const text = resources.map((resource) => stringify(resource)).join('---\n');
  return validateDocuments(parseDocuments('inline.yaml', text));
}

describe('lasuitectl validate on examples/invalid', () => {
  it('names file, line, document, resource, field, value and a fix for an unpinned version', async () => {
    expect(await diagnosticsFor('unpinned-version.yaml')).toContainEqual({
      severity: 'error',
      file: 'unpinned-version.yaml',
      document: 1,
      position: { line: 7, column: 12 },
      resource: 'DriveInstance drive',
      path: 'spec.version',
      value: '"latest"',
      message: 'latest is not a pinned version; use a Drive release tag such as v0.21.1',
      hint: expect.stringContaining('Drive release to run') as string,
    });
  });

  const cases: [string, Partial<Diagnostic>][] = [
    [
      'tls-both-sources.yaml',
      {
        path: 'spec.tls',
        message: 'set exactly one of tls.secretName or tls.issuerRef',
        position: { line: 10, column: 5 },
      },
    ],
    [
      'misspelt-field.yaml',
      {
        path: 'spec.hots',
        value: '"drive.example.com"',
        message: 'unknown field "hots"',
        hint: 'did you mean "host"?',
      },
    ],
    [
      'misspelt-field.yaml',
      { path: 'spec.host', value: '(not set)', message: 'required field is missing' },
    ],
    [
      'reserved-extra-env.yaml',
      {
        path: 'spec.extraEnv[0].name',
        value: '"TRASHBIN_CUTOFF_DAYS"',
        message: expect.stringContaining('crashes in timedelta') as string,
      },
    ],
    [
      'reserved-extra-env.yaml',
      {
        path: 'spec.extraEnv[1].name',
        value: '"AWS_S3_ENDPOINT_URL"',
        message: expect.stringContaining('set by the operator') as string,
      },
    ],
    [
      's3-without-block.yaml',
      {
        path: 'spec.s3',
        value: '(not set)',
        message: 's3 is required when type is s3, and only allowed then',
      },
    ],
    [
      'wrong-mount-type.yaml',
      {
        path: 'spec.storageRef.name',
        value: '"share"',
        message: 'StorageMount share has type smb, but this reference needs type s3',
      },
    ],
    [
      'unknown-edge.yaml',
      {
        path: 'spec.edge.type',
        value: '"traefk"',
        message: 'must be one of "traefik", "nginx", "gateway"',
        hint: 'did you mean "traefik"?',
      },
    ],
    [
      'old-api-version.yaml',
      {
        path: 'apiVersion',
        message: 'version v1 of lasuite.selfhost.dev is not served',
        hint: 'use apiVersion: lasuite.selfhost.dev/v1alpha1',
      },
    ],
    [
      'broken-yaml.yaml',
      {
        path: '',
        position: { line: 8, column: 3 },
        message: expect.stringContaining('YAML syntax error') as string,
      },
    ],
    [
      'managed-onlyoffice.yaml',
      { path: 'spec.managed', message: expect.stringContaining('Collabora Online only') as string },
    ],
  ];

  it.each(cases)('%s: %o', async (file, expected) => {
    expect(await diagnosticsFor(file)).toContainEqual(
      expect.objectContaining({ severity: 'error', ...expected }),
    );
  });

  it('reports an error for every file', async () => {
    const result = validateDocuments(await loadDocuments([INVALID]));
    const files = new Set(
      result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file),
    );
    expect(files.size).toBe(
      cases.map(([file]) => file).filter((file, i, all) => all.indexOf(file) === i).length + 1,
    );
  });
});

describe('validateDocuments', () => {
  it('accepts the production example and applies defaults', async () => {
    const result = validateDocuments(await loadDocuments([join(REPO_ROOT, 'examples/production')]));
    expect(result.diagnostics).toEqual([]);
    expect(result.resources.map((r) => r.object.kind).sort()).toEqual(
      ['DriveInstance', 'OidcClient', 'StorageMount', 'StorageMount', 'WopiClient'].sort(),
    );
    expect(result.skipped).toBe(1);
  });

  it('warns, without failing, about references to resources not given', () => {
    const result = validate(driveInstanceResource());
    expect(result.diagnostics.map((d) => [d.severity, d.path])).toEqual([
      ['warning', 'spec.storageRef.name'],
      ['warning', 'spec.oidcClientRef.name'],
    ]);
  });

  it('resolves references within one namespace only', () => {
    const mount = s3MountResource();
    (mount.metadata as Mutable).namespace = 'elsewhere';
    const result = validate(driveInstanceResource(), mount);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'warning', path: 'spec.storageRef.name' }),
    );
  });

  it('rejects the same resource defined twice', () => {
    const result = validate(s3MountResource(), s3MountResource());
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        document: 2,
        path: 'metadata.name',
        message: 'StorageMount media is defined twice',
      }),
    );
  });

  it('rejects two editors Drive would know by the same name', () => {
    const second = wopiClientResource();
    (second.metadata as Mutable).name = 'collabora-2';
    const drive = driveInstanceResource({
      wopiClientRefs: [{ name: 'collabora' }, { name: 'collabora-2' }],
    });
    const result = validate(drive, wopiClientResource(), second);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        path: 'spec.wopiClientRefs[1].name',
        hint: expect.stringContaining('spec.clientName') as string,
      }),
    );
  });

  it('passes over objects of other API groups and rejects unknown kinds of ours', () => {
    const result = validate(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
      {
        apiVersion: 'lasuite.selfhost.dev/v1alpha1',
        kind: 'DriveInstanse',
        metadata: { name: 'x' },
        spec: {},
      },
    );
    expect(result.skipped).toBe(1);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        path: 'kind',
        message: 'lasuite.selfhost.dev has no kind "DriveInstanse"',
        hint: 'did you mean "DriveInstance"?',
      }),
    );
  });

  it('rejects documents that are not objects', () => {
    const result = validateDocuments(parseDocuments('list.yaml', '- a\n- b\n'));
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ message: 'not a Kubernetes object' }),
    );
  });

  it('ignores empty documents', () => {
    expect(parseDocuments('empty.yaml', '---\n# nothing\n---\n')).toEqual([]);
  });
});

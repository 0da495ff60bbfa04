// Schema tests: every admission rule rejects what it should, the generated schemas are structural
// and documented, and the status vocabulary follows the contract.
import { parse as parseCel } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../manifests/diagnostics.js';
import { driveInstanceResource, type Mutable } from '../test-support/resources.js';
import { RESOURCES, RULE_CASES } from '../test-support/rule-cases.js';
import { isTransitionRule } from './cel-rules.js';
import { allConditionTypes, allReasons, type KindDefinition } from './kind.js';
import { KINDS, kindByName } from './kinds.js';
import { resourceSchema, type JsonSchema } from './openapi-schema.js';

function issuesOf(resource: Mutable) {
  const definition = kindByName(resource.kind as string)!;
  const result = definition.resource.safeParse(resource);
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

describe('admission rules', () => {
  it.each(RULE_CASES)('rejects %s', (_what, resource, path, message) => {
    expect(issuesOf(resource)).toContainEqual({
      path,
      message: expect.stringContaining(message) as string,
    });
  });

  it('accepts the minimal resource of every kind', () => {
    for (const resource of RESOURCES) {
      expect(issuesOf(resource)).toEqual([]);
    }
  });

  it('has a rejecting case for every rule lasuitectl can evaluate', () => {
    const tested = [...RULE_CASES.map(([, , , message]) => message), 'names are limited to'];
    const untested = allRules()
      .filter((rule) => !isTransitionRule(rule))
      .map((rule) => rule.message)
      .filter((message) => !tested.some((fragment) => message.includes(fragment)));
    expect([...new Set(untested)]).toEqual([]);
  });

  it.each(KINDS.map((definition) => [definition.kind, definition.maxNameLength] as const))(
    'rejects %s names that would make child object names too long',
    (kind, maxNameLength) => {
      const resource = RESOURCES.find((candidate) => candidate.kind === kind)!;
      const named = { ...resource, metadata: { name: 'a'.repeat(maxNameLength + 1) } };
      expect(issuesOf(named)).toContainEqual({
        path: 'metadata.name',
        message: expect.stringContaining(`limited to ${maxNameLength} characters`) as string,
      });
    },
  );

  it('rejects duplicates in keyed lists', () => {
    const resource = driveInstanceResource({ mounts: [{ name: 'a' }, { name: 'a' }] });
    expect(issuesOf(resource)).toContainEqual({
      path: 'spec.mounts[1]',
      message: expect.stringContaining('duplicate name "a"') as string,
    });
  });

  it('applies defaults as the API server would', () => {
    const parsed = kindByName('DriveInstance')!.resource.parse(driveInstanceResource()) as {
      spec: Mutable;
    };
    expect(parsed.spec).toMatchObject({
      edge: { type: 'traefik', mediaGateway: 'Auto' },
      redis: { managed: { image: 'redis:7.4.2-alpine' } },
      backend: { replicas: 2 },
      upload: { chunked: true, chunkSizeBytes: 8 * 1024 * 1024 },
      ui: { hideGaufre: true },
      extraEnv: [],
    });
  });
});

interface Rule {
  rule: string;
  message: string;
  path: string;
}

function walk(
  node: JsonSchema,
  path: string,
  visit: (node: JsonSchema, path: string) => void,
): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {}))
    walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties, `${path}{}`, visit);
  }
}

function allRules(): Rule[] {
  const rules: Rule[] = [];
  for (const definition of KINDS) {
    walk(resourceSchema(definition), definition.kind, (node, path) => {
      for (const rule of node['x-kubernetes-validations'] ?? []) rules.push({ ...rule, path });
    });
  }
  return rules;
}

describe('generated CRD schemas', () => {
  it.each(KINDS.map((definition) => [definition.kind, definition] as const))(
    '%s is structural: every node typed, no keyword the API server refuses',
    (_kind, definition: KindDefinition) => {
      const problems: string[] = [];
      walk(resourceSchema(definition), definition.kind, (node, path) => {
        if (!node.type && !node['x-kubernetes-int-or-string']) problems.push(`${path}: no type`);
        for (const forbidden of [
          '$ref',
          '$schema',
          'oneOf',
          'allOf',
          'not',
          'const',
          'definitions',
          'title',
        ]) {
          if (forbidden in node) problems.push(`${path}: ${forbidden}`);
        }
        if (node.additionalProperties === false)
          problems.push(`${path}: additionalProperties false`);
        if (node.anyOf && !node['x-kubernetes-int-or-string']) problems.push(`${path}: anyOf`);
        if (node['x-kubernetes-list-type'] === 'map') {
          for (const key of node['x-kubernetes-list-map-keys'] ?? []) {
            if (!node.items?.required?.includes(key))
              problems.push(`${path}: list map key ${key} not required`);
          }
        }
      });
      expect(problems).toEqual([]);
    },
  );

  it('documents every field', () => {
    const undocumented: string[] = [];
    for (const definition of KINDS) {
      walk(resourceSchema(definition), definition.kind, (node, path) => {
        for (const [name, child] of Object.entries(node.properties ?? {})) {
          if (path === definition.kind && name === 'metadata') continue;
          if (!child.description) undocumented.push(`${path}.${name}`);
        }
      });
    }
    expect(undocumented).toEqual([]);
  });

  it('has CEL rules that parse, with messages and no prose-free reasons', () => {
    for (const rule of allRules()) {
      expect(() => parseCel(rule.rule), `${rule.path}: ${rule.rule}`).not.toThrow();
      expect(rule.message.length).toBeGreaterThan(10);
    }
  });

  it('makes identity fields immutable', () => {
    const transition = allRules()
      .filter(isTransitionRule)
      .map((rule) => rule.path);
    expect(transition).toEqual(
      expect.arrayContaining([
        'DriveInstance.spec.storageRef',
        'StorageMount.spec.type',
        'StorageMount.spec.s3.provider',
        'StorageMount.spec.s3.bucket.name',
        'WopiClient.spec.type',
      ]),
    );
  });
});

describe('status vocabulary', () => {
  it.each(KINDS.map((definition) => [definition.kind, definition] as const))(
    '%s uses CamelCase condition types and reasons',
    (_kind, definition: KindDefinition) => {
      for (const name of [
        ...allConditionTypes(definition),
        ...Object.keys(allReasons(definition)),
      ]) {
        expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      }
      expect(allConditionTypes(definition).slice(0, 3)).toEqual([
        'Ready',
        'Reconciling',
        'Stalled',
      ]);
    },
  );
});

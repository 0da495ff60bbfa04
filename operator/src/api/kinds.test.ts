// Schema tests: every admission rule rejects what it should, the generated schemas are structural
// and documented, and the status vocabulary follows the contract.
import { parse as parseCel } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../manifests/diagnostics.js';
import {
  driveInstanceResource,
  oidcClientResource,
  s3MountResource,
  smbMountResource,
  wopiClientResource,
  type Mutable,
} from '../test-support/resources.js';
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

function withSpec(resource: Mutable, patch: (spec: Mutable) => void): Mutable {
  const copy = structuredClone(resource);
  patch(copy.spec as Mutable);
  return copy;
}

const RESOURCES = [
  driveInstanceResource(),
  s3MountResource(),
  smbMountResource(),
  oidcClientResource(),
  wopiClientResource(),
];

const s3 = (spec: Mutable) => spec.s3 as Mutable;
const smb = (spec: Mutable) => spec.smb as Mutable;

// One case per admission rule: [what, resource, field path, message fragment].
const RULE_CASES: [string, Mutable, string, string][] = [
  [
    'unpinned version',
    driveInstanceResource({ version: 'latest' }),
    'spec.version',
    'latest is not a pinned version',
  ],
  [
    'unpinned image',
    driveInstanceResource({ images: { backend: 'lasuite/drive-backend:latest' } }),
    'spec.images.backend',
    'images must be pinned',
  ],
  [
    'image without tag',
    driveInstanceResource({ images: { frontend: 'mirror.example.com/drive-frontend' } }),
    'spec.images.frontend',
    'images must be pinned',
  ],
  [
    'two TLS sources',
    driveInstanceResource({ tls: { secretName: 'a', issuerRef: { name: 'b' } } }),
    'spec.tls',
    'exactly one of tls.secretName or tls.issuerRef',
  ],
  [
    'no TLS source',
    driveInstanceResource({ tls: {} }),
    'spec.tls',
    'exactly one of tls.secretName or tls.issuerRef',
  ],
  [
    'gateway without parents',
    driveInstanceResource({ edge: { type: 'gateway' } }),
    'spec.edge.gateway',
    'edge.gateway is required',
  ],
  [
    'traefik options on nginx',
    driveInstanceResource({ edge: { type: 'nginx', traefik: {} } }),
    'spec.edge.traefik',
    'edge.traefik is only allowed',
  ],
  [
    'ingress class on gateway',
    driveInstanceResource({
      edge: { type: 'gateway', ingressClassName: 'x', gateway: { parentRefs: [{ name: 'gw' }] } },
    }),
    'spec.edge.ingressClassName',
    'does not apply to gateway',
  ],
  [
    'two databases',
    driveInstanceResource({ database: { cloudNativePG: {}, secretRef: { name: 'db' } } }),
    'spec.database',
    'exactly one of database.secretRef or database.cloudNativePG',
  ],
  [
    'two redis',
    driveInstanceResource({ redis: { managed: {}, secretRef: { name: 'r' } } }),
    'spec.redis',
    'exactly one of redis.secretRef or redis.managed',
  ],
  [
    'autoscaling bounds',
    driveInstanceResource({ backend: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }),
    'spec.backend.autoscaling.minReplicas',
    'must not exceed autoscaling.maxReplicas',
  ],
  [
    'chunk above max size',
    driveInstanceResource({
      upload: { chunkSizeBytes: 64 * 1024 * 1024, maxFileSizeBytes: 32 * 1024 * 1024 },
    }),
    'spec.upload.chunkSizeBytes',
    'must not exceed upload.maxFileSizeBytes',
  ],
  [
    'managed env name',
    driveInstanceResource({ extraEnv: [{ name: 'MEDIA_BASE_URL', value: 'x' }] }),
    'spec.extraEnv[0].name',
    'set by the operator',
  ],
  [
    'secret file override',
    driveInstanceResource({ extraEnv: [{ name: 'DJANGO_SECRET_KEY_FILE', value: '/x' }] }),
    'spec.extraEnv[0].name',
    'set by the operator',
  ],
  [
    'WOPI client env',
    driveInstanceResource({ extraEnv: [{ name: 'WOPI_COLLABORA_DISCOVERY_URL', value: 'x' }] }),
    'spec.extraEnv[0].name',
    'WOPI client variables come from WopiClient',
  ],
  [
    'TRASHBIN_CUTOFF_DAYS',
    driveInstanceResource({ extraEnv: [{ name: 'TRASHBIN_CUTOFF_DAYS', value: '3' }] }),
    'spec.extraEnv[0].name',
    'TRASHBIN_CUTOFF_DAYS must not be set',
  ],
  [
    'PURGE_GRACE_DAYS',
    driveInstanceResource({ extraEnv: [{ name: 'PURGE_GRACE_DAYS', value: '3' }] }),
    'spec.extraEnv[0].name',
    'PURGE_GRACE_DAYS must not be set',
  ],
  [
    'THEME_CUSTOMIZATION_CACHE_TIMEOUT',
    driveInstanceResource({
      extraEnv: [{ name: 'THEME_CUSTOMIZATION_CACHE_TIMEOUT', value: '3' }],
    }),
    'spec.extraEnv[0].name',
    'THEME_CUSTOMIZATION_CACHE_TIMEOUT must not be set',
  ],
  [
    'AWS_SESSION_TOKEN',
    driveInstanceResource({ extraEnv: [{ name: 'AWS_SESSION_TOKEN', value: '3' }] }),
    'spec.extraEnv[0].name',
    'AWS_SESSION_TOKEN must not be set',
  ],
  [
    'AWS_SECURITY_TOKEN',
    driveInstanceResource({ extraEnv: [{ name: 'AWS_SECURITY_TOKEN', value: '3' }] }),
    'spec.extraEnv[0].name',
    'AWS_SECURITY_TOKEN must not be set',
  ],
  [
    'env value and valueFrom',
    driveInstanceResource({
      extraEnv: [{ name: 'FOO', value: 'a', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    }),
    'spec.extraEnv[0]',
    'exactly one of value or valueFrom',
  ],
  [
    'env valueFrom twice',
    driveInstanceResource({
      extraEnv: [
        {
          name: 'FOO',
          valueFrom: {
            secretKeyRef: { name: 's', key: 'k' },
            configMapKeyRef: { name: 'c', key: 'k' },
          },
        },
      ],
    }),
    'spec.extraEnv[0].valueFrom',
    'exactly one of valueFrom.secretKeyRef or valueFrom.configMapKeyRef',
  ],
  [
    'resource server without audience',
    driveInstanceResource({ resourceServer: { enabled: true } }),
    'spec.resourceServer.allowedAudiences',
    'needs at least one audience',
  ],
  [
    's3 block missing',
    withSpec(s3MountResource(), (spec) => delete spec.s3),
    'spec.s3',
    's3 is required when type is s3',
  ],
  [
    'smb block on s3',
    withSpec(s3MountResource(), (spec) => (spec.smb = (smbMountResource().spec as Mutable).smb)),
    'spec.smb',
    'smb is required when type is smb',
  ],
  [
    'rook without options',
    withSpec(
      s3MountResource({ provider: 'rook', credentials: undefined }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.rook',
    's3.rook is required when s3.provider is rook',
  ],
  [
    'no internal endpoint',
    s3MountResource({ endpoints: { public: 'https://s3.example.com' } }),
    'spec.s3.endpoints.internal',
    'internal is required unless s3.provider is rook',
  ],
  [
    'external without credentials',
    withSpec(s3MountResource(), (spec) => delete s3(spec).credentials),
    'spec.s3.credentials',
    's3.credentials is required when s3.provider is external',
  ],
  [
    'rgw without admin credentials',
    withSpec(s3MountResource({ provider: 'rgw' }), (spec) => delete s3(spec).credentials),
    'spec.s3.adminCredentials',
    's3.adminCredentials is required',
  ],
  [
    'external options on rgw',
    withSpec(
      s3MountResource({ provider: 'rgw', adminCredentials: { name: 'a' }, external: {} }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.external',
    's3.external is only allowed',
  ],
  [
    'object store user without store',
    withSpec(
      s3MountResource({
        provider: 'rook',
        rook: { storageClassName: 'b', identity: 'CephObjectStoreUser' },
      }),
      (spec) => delete s3(spec).credentials,
    ),
    'spec.s3.rook.objectStore',
    'rook.objectStore is required',
  ],
  [
    'smb subject twice',
    smbMountResource({ roles: [{ subject: { sub: 'a', email: 'a@b.c' }, role: 'viewer' }] }),
    'spec.smb.roles[0].subject',
    'exactly one of subject.sub, subject.email or subject.group',
  ],
  [
    'smb path with ..',
    withSpec(smbMountResource(), (spec) => (smb(spec).path = '/drive/../etc')),
    'spec.smb.path',
    'must not contain .. segments',
  ],
  [
    'two credential modes',
    oidcClientResource({
      credentials: {
        secretRef: { name: 'a' },
        keycloak: {
          url: 'https://sso',
          realm: 'r',
          adminCredentialsSecretRef: { name: 'k' },
        },
      },
    }),
    'spec.credentials',
    'exactly one of credentials.secretRef',
  ],
  [
    'keycloak without clientId',
    oidcClientResource({
      credentials: {
        keycloak: {
          url: 'https://sso.example.com',
          realm: 'r',
          adminCredentialsSecretRef: { name: 'k' },
        },
      },
    }),
    'spec.clientId',
    'clientId is required with credentials.keycloak',
  ],
  [
    'registration with clientId',
    oidcClientResource({
      clientId: 'drive',
      credentials: { dynamicRegistration: { initialAccessTokenSecretRef: { name: 'iat' } } },
    }),
    'spec.clientId',
    'clientId must be omitted',
  ],
  [
    'scopes without openid',
    oidcClientResource({ scopes: ['email'] }),
    'spec.scopes',
    'scopes must include openid',
  ],
  [
    'editor external and managed',
    wopiClientResource({ managed: {} }),
    'spec',
    'exactly one of external or managed',
  ],
  [
    'managed onlyoffice',
    wopiClientResource({ type: 'onlyoffice', external: undefined, managed: {} }),
    'spec.managed',
    'Collabora Online only',
  ],
];

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

// `lasuitectl validate`: checks documents against the same schemas and CEL rules the CRDs carry,
// then checks references between the resources given together.
import type { z } from 'zod';
import { API_GROUP, GROUP_VERSION, type KindDefinition } from '../api/kind.js';
import { CLIENT_KINDS, KINDS, kindByName } from '../api/kinds.js';
import { resourceSchema, type JsonSchema } from '../api/openapi-schema.js';
import { closest, describeValue, formatPath, type Diagnostic } from './diagnostics.js';
import type { LoadedDocument } from './load-documents.js';

export interface ValidResource {
  definition: KindDefinition;
  /** The object with schema defaults applied, as the API server would store it. */
  object: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    spec: Record<string, unknown>;
  };
  document: LoadedDocument;
}

export interface ValidationResult {
  diagnostics: Diagnostic[];
  resources: ValidResource[];
  /** Documents of other API groups (Secrets, Namespaces, …), passed over. */
  skipped: number;
}

type Path = readonly PropertyKey[];

function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function schemaAt(root: JsonSchema, path: Path): JsonSchema | undefined {
  let node: JsonSchema | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number') node = node.items;
    else {
      const additional: JsonSchema | boolean | undefined = node.additionalProperties;
      node =
        node.properties?.[String(segment)] ??
        (typeof additional === 'object' ? additional : undefined);
    }
  }
  return node;
}

class DocumentReport {
  constructor(
    private readonly document: LoadedDocument,
    private readonly diagnostics: Diagnostic[],
    public resource?: string,
  ) {}

  add(
    severity: Diagnostic['severity'],
    path: Path,
    message: string,
    hint?: string,
    value: unknown = valueAt(this.document.value, path),
  ): void {
    this.diagnostics.push({
      severity,
      file: this.document.file,
      document: this.document.index,
      position: this.document.positionOf(path),
      resource: this.resource,
      path: formatPath(path),
      value: path.length > 0 ? describeValue(value) : undefined,
      message,
      hint,
    });
  }
}

function hintFor(schema: JsonSchema | undefined): string | undefined {
  return schema?.description;
}

function reportIssue(
  issue: z.core.$ZodIssue,
  definition: KindDefinition,
  report: DocumentReport,
  raw: unknown,
): void {
  const root = resourceSchema(definition);
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys(schemaAt(root, path)?.properties ?? {});
      for (const key of issue.keys) {
        const suggestion = closest(key, known);
        report.add(
          'error',
          [...path, key],
          `unknown field "${key}"`,
          suggestion ? `did you mean "${suggestion}"?` : `known fields here: ${known.join(', ')}`,
        );
      }
      return;
    }
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      const found = valueAt(raw, path);
      const suggestion =
        typeof found === 'string' ? closest(found, issue.values.map(String)) : undefined;
      report.add(
        'error',
        path,
        issue.values.length === 1
          ? `must be ${allowed[0] ?? ''}`
          : `must be one of ${allowed.join(', ')}`,
        suggestion ? `did you mean "${suggestion}"?` : hintFor(schemaAt(root, path)),
      );
      return;
    }
    case 'invalid_type': {
      const found = valueAt(raw, path);
      report.add(
        'error',
        path,
        found === undefined
          ? 'required field is missing'
          : `must be ${issue.expected}, not ${Array.isArray(found) ? 'array' : typeof found}`,
        hintFor(schemaAt(root, path)),
      );
      return;
    }
    case 'invalid_union': {
      report.add(
        'error',
        path,
        'must be an integer or a quantity string such as 500m or 1Gi',
        hintFor(schemaAt(root, path)),
      );
      return;
    }
    default:
      report.add('error', path, issue.message, hintFor(schemaAt(root, path)));
  }
}

function resourceLabel(kind: string, metadata: unknown): string {
  const name = valueAt(metadata, ['name']);
  const namespace = valueAt(metadata, ['namespace']);
  const displayName = typeof name === 'string' ? name : '(unnamed)';
  return typeof namespace === 'string'
    ? `${kind} ${namespace}/${displayName}`
    : `${kind} ${displayName}`;
}

function validateDocument(
  document: LoadedDocument,
  diagnostics: Diagnostic[],
): ValidResource | 'skipped' | undefined {
  const report = new DocumentReport(document, diagnostics);
  for (const error of document.syntaxErrors) {
    diagnostics.push({
      severity: 'error',
      file: document.file,
      document: document.index,
      position: error.position,
      path: '',
      message: `YAML syntax error: ${error.message.split('\n')[0] ?? ''}`,
      hint: 'fix the YAML syntax first; nothing else in this document was checked',
    });
  }
  if (document.syntaxErrors.length > 0) return undefined;

  const raw = document.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    report.add(
      'error',
      [],
      'not a Kubernetes object',
      'each document must be a mapping with apiVersion, kind, metadata and spec',
    );
    return undefined;
  }
  const { apiVersion, kind, metadata } = raw as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${API_GROUP}/`)) {
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      report.add(
        'error',
        typeof apiVersion !== 'string' ? ['apiVersion'] : ['kind'],
        'required field is missing',
        'every Kubernetes object needs apiVersion and kind',
      );
      return undefined;
    }
    return 'skipped';
  }
  const definition = typeof kind === 'string' ? kindByName(kind) : undefined;
  report.resource = resourceLabel(typeof kind === 'string' ? kind : '(no kind)', metadata);
  if (!definition) {
    const known = [...KINDS, ...CLIENT_KINDS].map((entry) => entry.kind);
    const suggestion = typeof kind === 'string' ? closest(kind, known) : undefined;
    report.add(
      'error',
      ['kind'],
      `${API_GROUP} has no kind ${JSON.stringify(kind)}`,
      suggestion ? `did you mean "${suggestion}"?` : `kinds: ${known.join(', ')}`,
    );
    return undefined;
  }
  if (apiVersion !== GROUP_VERSION) {
    report.add(
      'error',
      ['apiVersion'],
      `version ${apiVersion.slice(API_GROUP.length + 1)} of ${API_GROUP} is not served`,
      `use apiVersion: ${GROUP_VERSION}`,
    );
    return undefined;
  }
  const parsed = definition.resource.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(issue, definition, report, raw);
    return undefined;
  }
  return { definition, object: parsed.data as ValidResource['object'], document };
}

interface ReferenceCheck {
  path: Path;
  kind: string;
  name: string;
  expectedType?: 's3' | 'smb';
}

function referencesOf(resource: ValidResource): ReferenceCheck[] {
  if (resource.definition.kind !== 'DriveInstance') return [];
  const spec = resource.object.spec as {
    storageRef: { name: string };
    oidcClientRef: { name: string };
    mounts: { name: string }[];
    wopiClientRefs: { name: string }[];
  };
  return [
    {
      path: ['spec', 'storageRef', 'name'],
      kind: 'StorageMount',
      name: spec.storageRef.name,
      expectedType: 's3',
    },
    { path: ['spec', 'oidcClientRef', 'name'], kind: 'OidcClient', name: spec.oidcClientRef.name },
    ...spec.mounts.map((mount, index): ReferenceCheck => ({
      path: ['spec', 'mounts', index, 'name'],
      kind: 'StorageMount',
      name: mount.name,
      expectedType: 'smb',
    })),
    ...spec.wopiClientRefs.map((ref, index): ReferenceCheck => ({
      path: ['spec', 'wopiClientRefs', index, 'name'],
      kind: 'WopiClient',
      name: ref.name,
    })),
  ];
}

function identity(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${namespace ?? ''}|${name}`;
}

function checkReferences(resources: ValidResource[], diagnostics: Diagnostic[]): void {
  const byIdentity = new Map<string, ValidResource>();
  for (const resource of resources) {
    const { kind, metadata } = resource.object;
    const key = identity(kind, metadata.namespace, metadata.name);
    const report = new DocumentReport(
      resource.document,
      diagnostics,
      resourceLabel(kind, metadata),
    );
    const first = byIdentity.get(key);
    if (first) {
      report.add(
        'error',
        ['metadata', 'name'],
        `${kind} ${metadata.name} is defined twice`,
        `first defined in ${first.document.file} (document ${first.document.index}); rename or remove one`,
      );
    } else byIdentity.set(key, resource);
  }
  for (const resource of resources) {
    const { kind, metadata } = resource.object;
    const report = new DocumentReport(
      resource.document,
      diagnostics,
      resourceLabel(kind, metadata),
    );
    const editorNames = new Map<string, string>();
    for (const reference of referencesOf(resource)) {
      const target = byIdentity.get(identity(reference.kind, metadata.namespace, reference.name));
      if (!target) {
        report.add(
          'warning',
          reference.path,
          `${reference.kind} ${reference.name} is not among the given files`,
          `it must exist in the same namespace when this DriveInstance is applied`,
        );
        continue;
      }
      const targetSpec = target.object.spec as { type?: string; clientName?: string };
      if (reference.expectedType && targetSpec.type !== reference.expectedType) {
        report.add(
          'error',
          reference.path,
          `StorageMount ${reference.name} has type ${String(targetSpec.type)}, but this reference needs type ${reference.expectedType}`,
          reference.expectedType === 's3'
            ? 'storageRef names the S3 StorageMount; list SMB mounts under spec.mounts'
            : 'spec.mounts lists SMB StorageMounts; the S3 one goes in spec.storageRef',
        );
      }
      if (reference.kind === 'WopiClient') {
        const clientName = targetSpec.clientName ?? targetSpec.type ?? reference.name;
        const other = editorNames.get(clientName);
        if (other) {
          report.add(
            'error',
            reference.path,
            `WopiClients ${other} and ${reference.name} are both known to Drive as "${clientName}"`,
            'set spec.clientName on one of them so each editor has its own name',
          );
        }
        editorNames.set(clientName, reference.name);
      }
    }
  }
}

export function validateDocuments(documents: readonly LoadedDocument[]): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  const resources: ValidResource[] = [];
  let skipped = 0;
  for (const document of documents) {
    const outcome = validateDocument(document, diagnostics);
    if (outcome === 'skipped') skipped += 1;
    else if (outcome) resources.push(outcome);
  }
  checkReferences(resources, diagnostics);
  return { diagnostics, resources, skipped };
}

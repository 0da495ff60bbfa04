// docs/api.md, written from the same schemas as the CRDs.
import { allReasons, GROUP_VERSION, type KindDefinition } from '../api/kind.js';
import { COMMON_CONDITION_TYPES, COMMON_REASONS } from '../api/status.js';
import { openApiSchema, type JsonSchema } from '../api/openapi-schema.js';

interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  defaultValue: unknown;
  description: string;
  constraints: string[];
  rules: string[];
}

function typeOf(node: JsonSchema): string {
  if (node['x-kubernetes-int-or-string']) return 'integer or string';
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' or ');
  if (node.type === 'array') return `[]${node.items ? typeOf(node.items) : 'any'}`;
  if (
    node.type === 'object' &&
    node.additionalProperties &&
    typeof node.additionalProperties === 'object'
  ) {
    return `map[string]${typeOf(node.additionalProperties)}`;
  }
  return node.type ?? 'any';
}

function constraintsOf(node: JsonSchema): string[] {
  const out: string[] = [];
  if (node.pattern) out.push(`pattern \`${node.pattern}\``);
  if (node.minLength !== undefined) out.push(`min length ${node.minLength}`);
  if (node.maxLength !== undefined) out.push(`max length ${node.maxLength}`);
  if (node.minimum !== undefined) out.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) out.push(`≤ ${node.maximum}`);
  if (node.minItems !== undefined) out.push(`min items ${node.minItems}`);
  if (node.maxItems !== undefined) out.push(`max items ${node.maxItems}`);
  if (node['x-kubernetes-list-type'] === 'map') {
    out.push(`keyed by ${(node['x-kubernetes-list-map-keys'] ?? []).join(', ')}`);
  }
  if (node['x-kubernetes-list-type'] === 'set') out.push('unique items');
  return out;
}

function rulesOf(node: JsonSchema): string[] {
  return (node['x-kubernetes-validations'] ?? []).map((rule) =>
    /\boldSelf\b/.test(rule.rule) ? `${rule.message} (on update)` : rule.message,
  );
}

function collect(node: JsonSchema, path: string, required: boolean, rows: FieldRow[]): void {
  const item = node.type === 'array' ? node.items : undefined;
  rows.push({
    path,
    type: typeOf(node),
    required,
    defaultValue: node.default,
    description: node.description ?? '',
    constraints: constraintsOf(node),
    rules: [...rulesOf(node), ...(item ? rulesOf(item).map((rule) => `each item: ${rule}`) : [])],
  });
  const container = item ?? node;
  const prefix = item ? `${path}[]` : path;
  for (const [name, child] of Object.entries(container.properties ?? {})) {
    collect(child, `${prefix}.${name}`, (container.required ?? []).includes(name), rows);
  }
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function table(rows: FieldRow[]): string {
  const lines = ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const row of rows) {
    const details = [
      row.description,
      row.required ? '**Required.**' : '',
      row.constraints.length > 0 ? `Constraints: ${row.constraints.join('; ')}.` : '',
      ...row.rules.map((rule) => `Rule: ${rule}.`),
    ]
      .filter((part) => part.length > 0)
      .join(' ');
    const defaultValue =
      row.defaultValue === undefined ? '' : `\`${JSON.stringify(row.defaultValue)}\``;
    lines.push(
      `| \`${row.path}\` | ${escapeCell(row.type)} | ${escapeCell(defaultValue)} | ${escapeCell(details)} |`,
    );
  }
  return lines.join('\n');
}

function fields(root: JsonSchema, name: string): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [child, node] of Object.entries(root.properties ?? {})) {
    collect(node, `${name}.${child}`, (root.required ?? []).includes(child), rows);
  }
  return rows;
}

function definitionList(entries: Record<string, string>, heading: string): string {
  const lines = [`| ${heading} | Meaning |`, '| --- | --- |'];
  for (const [key, meaning] of Object.entries(entries))
    lines.push(`| \`${key}\` | ${escapeCell(meaning)} |`);
  return lines.join('\n');
}

function kindSection(definition: KindDefinition): string {
  const spec = openApiSchema(definition.spec);
  const status = openApiSchema(definition.status);
  const specRules = rulesOf(spec);
  const domainReasons = Object.fromEntries(
    Object.entries(allReasons(definition)).filter(([reason]) => !(reason in COMMON_REASONS)),
  );
  return [
    `## ${definition.kind}`,
    '',
    definition.description,
    '',
    `\`kubectl get ${definition.plural}\` (short name${definition.shortNames.length > 1 ? 's' : ''} ${definition.shortNames.map((s) => `\`${s}\``).join(', ')}). Names are DNS labels of at most ${definition.maxNameLength} characters.`,
    '',
    '### Spec',
    '',
    ...(specRules.length > 0 ? [`Rules on the whole spec: ${specRules.join('; ')}.`, ''] : []),
    table(fields(spec, 'spec')),
    '',
    '### Status',
    '',
    table(fields(status, 'status')),
    '',
    '### Conditions',
    '',
    `\`Ready\`, \`Reconciling\` and \`Stalled\` (see [the status contract](#status-contract)), plus:`,
    '',
    definitionList(definition.conditions, 'Type'),
    '',
    '### Reasons',
    '',
    'The common reasons, plus:',
    '',
    definitionList(domainReasons, 'Reason'),
    '',
  ].join('\n');
}

export function apiReference(kinds: readonly KindDefinition[]): string {
  return [
    `# API reference: \`${GROUP_VERSION}\``,
    '',
    '<!-- Generated by `make generate` from operator/src/api; do not edit. -->',
    '',
    'Four namespaced kinds. A DriveInstance references the other three by name in its own namespace.',
    '',
    ...kinds.map((kind) => `- [${kind.kind}](#${kind.kind.toLowerCase()}): ${kind.description}`),
    '',
    '## Status contract',
    '',
    'Every kind reports the same way, which Argo CD (with the shipped health checks) and Flux (kstatus) both read:',
    '',
    '- `status.observedGeneration` is the `metadata.generation` the operator last processed, successful or not. Each condition carries its own `observedGeneration` too.',
    `- Conditions ${COMMON_CONDITION_TYPES.map((type) => `\`${type}\``).join(', ')} plus the domain conditions of each kind.`,
    '- `Ready=True` only when everything for the current generation is applied and verified.',
    '- `Reconciling=True` while work is in progress (including retries after transient errors); removed when done.',
    '- `Stalled=True` only when progress needs a human (bad input, a missing Secret key, refused credentials). A transient error is never `Stalled`.',
    '- Reasons are CamelCase identifiers; the message says what is wrong and how to fix it.',
    '',
    'Common reasons:',
    '',
    definitionList(COMMON_REASONS, 'Reason'),
    '',
    ...kinds.map(kindSection),
  ].join('\n');
}

/** The reference of a kind only lasuitectl reads: its spec, without status or conditions. */
export function clientKindReference(definition: KindDefinition): string {
  const spec = openApiSchema(definition.spec);
  const specRules = rulesOf(spec);
  return [
    `# ${definition.kind} reference: \`${GROUP_VERSION}\``,
    '',
    '<!-- Generated by `make generate` from operator/src/api; do not edit. -->',
    '',
    definition.description,
    '',
    `Names are DNS labels of at most ${definition.maxNameLength} characters.`,
    '',
    '## Spec',
    '',
    ...(specRules.length > 0 ? [`Rules on the whole spec: ${specRules.join('; ')}.`, ''] : []),
    table(fields(spec, 'spec')),
    '',
  ].join('\n');
}

// How objects are written as YAML everywhere (CRDs, golden files, lasuitectl render): no anchors
// or aliases, no folded lines, so output is diffable and byte-stable. YAML 1.1 rules, because
// Kubernetes reads `no`, `on` or `y` unquoted as booleans: such strings come out quoted.
import { stringify } from 'yaml';

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' });
}

export function toMultiDocumentYaml(objects: readonly unknown[]): string {
  return objects.map(toYaml).join('---\n');
}

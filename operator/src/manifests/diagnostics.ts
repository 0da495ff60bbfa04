// A finding about one field of one document, and how it is printed: file and line, document,
// resource, field path, the offending value, what is wrong and how to fix it.
import type { SourcePosition } from './load-documents.js';

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  document: number;
  position?: SourcePosition;
  /** `Kind namespace/name`, when the document got that far. */
  resource?: string;
  /** Dotted field path, e.g. `spec.extraEnv[2].name`; empty for the whole document. */
  path: string;
  /** The value found at the path, as JSON, or `(not set)`. */
  value?: string;
  message: string;
  hint?: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

const MAX_VALUE_LENGTH = 120;

export function describeValue(value: unknown): string {
  if (value === undefined) return '(not set)';
  const json = JSON.stringify(value);
  return json.length > MAX_VALUE_LENGTH ? `${json.slice(0, MAX_VALUE_LENGTH - 1)}…` : json;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.position
    ? `${diagnostic.file}:${diagnostic.position.line}:${diagnostic.position.column}`
    : diagnostic.file;
  const context = [`document ${diagnostic.document}`, diagnostic.resource]
    .filter(Boolean)
    .join(', ');
  const field =
    diagnostic.path.length > 0
      ? `${diagnostic.path}${diagnostic.value === undefined ? '' : ` = ${diagnostic.value}`}: `
      : '';
  const lines = [
    `${diagnostic.severity}: ${where} (${context})`,
    `  ${field}${diagnostic.message}`,
  ];
  if (diagnostic.hint) lines.push(`  hint: ${diagnostic.hint}`);
  return lines.join('\n');
}

/** Edit distance, for "did you mean" hints on misspelt fields and values. */
export function closest(candidate: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(candidate.length / 3)) + 1;
  for (const option of options) {
    const distance = levenshtein(candidate.toLowerCase(), option.toLowerCase());
    if (distance < bestDistance) {
      best = option;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

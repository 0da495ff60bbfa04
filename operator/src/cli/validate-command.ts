import { formatDiagnostic } from '../manifests/diagnostics.js';
import { loadDocuments } from '../manifests/load-documents.js';
import { validateDocuments, type ValidationResult } from '../manifests/validate-resources.js';
import type { CommandIO } from './command-io.js';

/** Loads and validates, printing every diagnostic; resolves to undefined when errors were found. */
export async function loadValid(
  paths: readonly string[],
  io: CommandIO,
): Promise<ValidationResult | undefined> {
  const documents = await loadDocuments(paths);
  const result = validateDocuments(documents);
  for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n`);
  return result.diagnostics.some((diagnostic) => diagnostic.severity === 'error')
    ? undefined
    : result;
}

export async function validateCommand(paths: readonly string[], io: CommandIO): Promise<number> {
  const result = await loadValid(paths, io);
  if (!result) {
    io.stderr('validation failed\n');
    return 1;
  }
  const others =
    result.skipped > 0
      ? ` (${result.skipped} other object${result.skipped === 1 ? '' : 's'} not checked)`
      : '';
  io.stdout(
    `${result.resources.length} lasuite.selfhost.dev resource${result.resources.length === 1 ? '' : 's'} valid${others}\n`,
  );
  return 0;
}

// Reads resource files (multi-document YAML, or directories of them) keeping source positions,
// so every diagnostic can point at a line.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface LoadedDocument {
  file: string;
  /** 1-based position of the document in its file. */
  index: number;
  value: unknown;
  /** Where a path of the document starts in the file; the nearest existing ancestor if absent. */
  positionOf(path: readonly PropertyKey[]): SourcePosition | undefined;
  syntaxErrors: { message: string; position?: SourcePosition }[];
}

const YAML_FILE = /\.ya?ml$/;

async function expand(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory() || YAML_FILE.test(entry.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => expand(join(path, entry.name))),
  );
  return nested.flat();
}

/** Files named on the command line, directories expanded to their YAML files in name order. */
export async function resourceFiles(paths: readonly string[]): Promise<string[]> {
  const files = await Promise.all(paths.map(expand));
  return files.flat();
}

function positionFinder(document: Document, lines: LineCounter) {
  return (path: readonly PropertyKey[]): SourcePosition | undefined => {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node: unknown = document.getIn(path.slice(0, depth) as unknown[], true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) {
        const { line, col } = lines.linePos(range[0]);
        return { line, column: col };
      }
    }
    return undefined;
  };
}

export function parseDocuments(file: string, text: string): LoadedDocument[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [];
  const loaded: LoadedDocument[] = [];
  list.forEach((document, position) => {
    const syntaxErrors = document.errors.map((error) => {
      const at = error.linePos?.[0];
      return {
        message: error.message.split(' at line ')[0] ?? error.message,
        position: at ? { line: at.line, column: at.col } : undefined,
      };
    });
    const value: unknown =
      syntaxErrors.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 });
    // An empty document (a trailing `---`, or comments only) is not a resource.
    if (value === null) return;
    loaded.push({
      file,
      index: position + 1,
      value,
      positionOf: positionFinder(document, lines),
      syntaxErrors,
    });
  });
  return loaded;
}

export async function loadDocuments(paths: readonly string[]): Promise<LoadedDocument[]> {
  const files = await resourceFiles(paths);
  const loaded = await Promise.all(
    files.map(async (file) => parseDocuments(file, await readFile(file, 'utf8'))),
  );
  return loaded.flat();
}

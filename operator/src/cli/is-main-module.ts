import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Whether the module is the program being run (also through an npm bin symlink). */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

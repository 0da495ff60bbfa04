import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for dev tooling and tests that read committed files. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

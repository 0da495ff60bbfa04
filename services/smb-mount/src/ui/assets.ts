// The web UI's files as `npm run build:ui` leaves them in dist/ui-assets/: read once at start
// (a few hundred KiB) and served from memory by their exact names, so no part of a request's
// path ever reaches the file system.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The build's output: the same directory whether this module runs from src/ui or dist/ui. */
export const ASSETS_DIRECTORY = fileURLToPath(new URL('../../dist/ui-assets/', import.meta.url));

/** The page every UI address answers with; the scripts read the address themselves. */
export const SHELL = 'index.html';

export interface Asset {
  body: Buffer;
  type: string;
  /** Strong: the content's hash, so a rebuilt file is fetched again. */
  etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The assets by file name, or undefined when the UI was not built (no shell). */
export function loadAssets(directory = ASSETS_DIRECTORY): ReadonlyMap<string, Asset> | undefined {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return undefined;
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const type = TYPES[extname(name)];
    // Only what a browser loads: the compiler's declaration and build-info files stay out.
    if (type === undefined || name.endsWith('.d.ts')) continue;
    const body = readFileSync(join(directory, name));
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    assets.set(name, { body, type, etag: `"${hash}"` });
  }
  return assets.has(SHELL) ? assets : undefined;
}

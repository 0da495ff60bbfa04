// @ts-check
// Builds the web UI into dist/ui-assets/, which the service serves (src/ui/assets.ts): the
// TypeScript in ui/src compiled to browser ES modules (no bundler: the browser loads the modules
// as they are), ui/static as it is, and tus-js-client's browser build, which the page loads as a
// classic script (it defines `tus`; the UI's own modules use its types only).
// Usage: node ui/build.mjs (npm run build:ui -w services/smb-mount).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = dirname(fileURLToPath(import.meta.url));
const out = join(ui, '..', 'dist', 'ui-assets');
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', join(ui, 'tsconfig.json')],
  { stdio: 'inherit' },
);
for (const name of readdirSync(join(ui, 'static')))
  copyFileSync(join(ui, 'static', name), join(out, name));
// The package's main entry is its Node build; the browser build sits next to it in dist/.
const tus = join(dirname(require.resolve('tus-js-client/package.json')), 'dist', 'tus.min.js');
copyFileSync(tus, join(out, 'tus.min.js'));

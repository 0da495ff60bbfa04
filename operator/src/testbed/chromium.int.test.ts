import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { binaries } from './binaries.js';
import { useServer } from './fixtures.js';
import { startHttpServer } from './http-backend.js';

describe('Chromium (test bed)', () => {
  const page = useServer(() =>
    startHttpServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        '<html><body><script>document.body.dataset.ready = "yes"</script></body></html>',
      );
    }),
  );

  it('renders a page from loopback headless, running its scripts', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'lasuite-chromium-'));
    try {
      const { stdout } = await promisify(execFile)(
        binaries.chromium(),
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--dump-dom',
          page().url,
        ],
        { timeout: 60_000 },
      );
      expect(stdout).toContain('data-ready="yes"');
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});

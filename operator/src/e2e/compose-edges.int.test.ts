// The edge of every example, with either proxy, loaded by the real server from the rendered files
// and asked what a browser would ask: nginx passes `nginx -t`, Traefik loads its file provider,
// the rendered healthcheck passes, every public host is routed (a 502 while nothing stands
// behind it, never "unknown host"), other names are refused and plain HTTP redirects to HTTPS.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composeFixture,
  runComposeServices,
  type ComposeFixture,
  type RunningProject,
} from '../test-support/compose-run.js';
import { composeExample } from '../test-support/compose-render.js';

const CASES = [
  ['dev', 'nginx'],
  ['dev', 'traefik'],
  ['single-host', 'nginx'],
  ['single-host', 'traefik'],
  ['multi-vm', 'traefik'],
  ['multi-vm', 'nginx'],
] as const;

/** The example's files, with the edge chosen and the certificate where the test writes one. */
async function exampleWithEdge(name: string, edge: string): Promise<Record<string, string>> {
  const directory = composeExample(name);
  const files: Record<string, string> = {};
  for (const file of await readdir(directory)) {
    let text = await readFile(join(directory, file), 'utf8');
    if (file === 'compose-project.yaml') {
      // Production examples name certificate files on the host; the test writes its own.
      text = text
        .replace(/\n {2}tls:\n( {4}.*\n)+/, '\n')
        .replace(/type: (nginx|traefik)/, `type: ${edge}`);
    }
    files[file] = text;
  }
  return files;
}

describe.each(CASES)('the %s example with the %s edge', (name, edge) => {
  let fixture: ComposeFixture;
  let running: RunningProject;
  let hosts: string[];
  const composeFile = name === 'multi-vm' ? 'compose.edge.yaml' : 'compose.yaml';

  beforeAll(async () => {
    fixture = await composeFixture(await exampleWithEdge(name, edge), { certificate: true });
    hosts = (await readFile(join(fixture.directory, 'compose/hosts'), 'utf8'))
      .split('\n')
      .filter(Boolean);
    running = await runComposeServices(await fixture.load(composeFile), {
      inside: ['edge'],
      expose: [
        { service: 'edge', port: 443 },
        { service: 'edge', port: 80 },
      ],
    });
    if (edge === 'nginx') {
      const test = await running.namespace.exec({ argv: ['nginx', '-t'] });
      expect(test.code, test.stderr).toBe(0);
      expect(test.stderr).toContain('test is successful');
    }
    await running.start('edge');
    await running.namespace.waitTcp('edge', 443, 30_000);
  });
  afterAll(async () => {
    await running.stop();
    await fixture.remove();
  });

  const get = (host: string, path = '/', port = 443) =>
    request(`${port === 443 ? 'https' : 'http'}://${host}${path}`, {
      headers: { host },
      dispatcher: running.namespace.dispatcher('edge', port, {
        rejectUnauthorized: false,
        servername: host,
      }),
    });

  it('passes its own healthcheck', async () => {
    const test = running.project.services.edge?.healthcheck?.test ?? [];
    expect(test[0]).toBe('CMD');
    const deadline = Date.now() + 20_000;
    for (;;) {
      const result = await running.namespace.exec({ argv: test.slice(1) });
      if (result.code === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `healthcheck failed: ${result.stdout}${result.stderr}\n${running.namespace.logs('edge')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it('routes every public host of the project', async () => {
    for (const host of hosts) {
      // Traefik loads its file provider a moment after it listens.
      const deadline = Date.now() + 20_000;
      for (;;) {
        // A path every host routes: a Collabora with a host of its own serves only its paths.
        const answer = await get(host, '/hosting/discovery');
        await answer.body.dump();
        if ([502, 503].includes(answer.statusCode)) break;
        if (Date.now() > deadline)
          throw new Error(
            `${host} answered ${String(answer.statusCode)}:\n${running.namespace.logs('edge')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  });

  it('refuses a name it does not serve', async () => {
    const answer = await get('elsewhere.example.test');
    await answer.body.dump();
    expect([404, 421]).toContain(answer.statusCode);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const host = hosts[0] ?? '';
    const answer = await get(host, '/explorer/items/my-files?x=1', 80);
    await answer.body.dump();
    expect([301, 302, 307, 308]).toContain(answer.statusCode);
    expect(answer.headers.location).toBe(`https://${host}/explorer/items/my-files?x=1`);
  });
});

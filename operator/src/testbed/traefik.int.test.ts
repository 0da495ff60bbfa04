import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useServer } from './fixtures.js';
import { startHttpServer } from './http-backend.js';
import { startTraefik } from './traefik.js';

describe('Traefik (test bed)', () => {
  const backend = useServer(() => startHttpServer());
  const traefik = useServer(() => startTraefik());

  it('routes a request through the file provider', async () => {
    await writeFile(
      join(traefik().dynamicDirectory, 'smoke.yml'),
      stringify({
        http: {
          routers: {
            smoke: { entryPoints: ['web'], rule: 'PathPrefix(`/smoke/`)', service: 'backend' },
          },
          services: { backend: { loadBalancer: { servers: [{ url: backend().url }] } } },
        },
      }),
    );
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt += 1) {
      status = (await fetch(`${traefik().url}/smoke/hello`)).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    expect(backend().requests.at(-1)?.url).toBe('/smoke/hello');
    expect(backend().requests.at(-1)?.headers['x-forwarded-host']).toBe(
      `127.0.0.1:${String(traefik().port)}`,
    );
  });
});

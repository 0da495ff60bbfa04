import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryError, type DiscoveryProblem, fetchWopiDiscovery } from './discovery.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const collabora = fixture('collabora-discovery.xml');
const onlyoffice = fixture('onlyoffice-discovery.xml');

// Every route an editor (or a proxy in front of one) might answer with; all on 127.0.0.1.
const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
  '/hosting/discovery': (_, res) => {
    res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(collabora);
  },
  '/onlyoffice/hosting/discovery': (_, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' }).end(onlyoffice);
  },
  '/bom/hosting/discovery': (_, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' }).end(`\ufeff${collabora}`);
  },
  '/broken/hosting/discovery': (_, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
  },
  '/gateway/hosting/discovery': (_, res) => {
    res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
  },
  '/redirect/hosting/discovery': (_, res) => {
    res.writeHead(301, { location: '/hosting/discovery' }).end();
  },
  '/login/hosting/discovery': (_, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form></form></body></html>',
      );
  },
  // Headers never come.
  '/silent/hosting/discovery': () => undefined,
  // Headers and a first chunk come, the rest never does.
  '/trickle/hosting/discovery': (_, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.write(collabora.slice(0, 200));
  },
  // Chunked, so that no Content-Length announces it: the cap must hold while reading.
  '/huge/hosting/discovery': (_, res) => {
    res.on('error', () => undefined);
    res.writeHead(200, { 'content-type': 'text/xml' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    res.write('<wopi-discovery>');
    for (let sent = 0; sent < 6 * 1024 * 1024; sent += chunk.length) res.write(chunk);
    res.end('</wopi-discovery>');
  },
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // The silent and trickle routes leave connections open on purpose.
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

async function failure(
  url: string,
  problem: DiscoveryProblem,
  timeoutMs?: number,
): Promise<DiscoveryError> {
  const error: unknown = await fetchWopiDiscovery(url, { timeoutMs }).then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(DiscoveryError);
  const discoveryError = error as DiscoveryError;
  expect(discoveryError.problem).toBe(problem);
  expect(discoveryError.url).toBe(url);
  expect(discoveryError.message).toContain(url);
  return discoveryError;
}

describe('fetchWopiDiscovery against real HTTP servers on 127.0.0.1', () => {
  it('fetches and reads a Collabora discovery', async () => {
    const result = await fetchWopiDiscovery(`${base}/hosting/discovery`);
    expect(result.netZone).toBe('external-http');
    expect(result.editExtensions).toContain('odt');
    expect(result.editMimetypes).toContain('application/vnd.oasis.opendocument.text');
    expect(result.urlsrcOrigins).toEqual(['https://office.example.org']);
    expect(result.proofKey).toEqual({ present: true, hasOldKey: true, modulusBits: 2048 });
  });

  it('fetches and reads an ONLYOFFICE discovery', async () => {
    const result = await fetchWopiDiscovery(`${base}/onlyoffice/hosting/discovery`);
    expect(result.editExtensions).toContain('docx');
    expect(result.urlsrcOrigins).toEqual(['https://docs.example.org']);
    expect(result.proofKey.present).toBe(true);
  });

  it('reads a body that starts with a UTF-8 byte order mark', async () => {
    const result = await fetchWopiDiscovery(`${base}/bom/hosting/discovery`);
    expect(result.editExtensions).toContain('odt');
  });

  it.each([
    ['/hosting/discover', '404 Not Found', '/hosting/discovery'],
    ['/broken/hosting/discovery', '500 Internal Server Error', "the editor's log"],
    ['/gateway/hosting/discovery', '502 Bad Gateway', 'a proxy in front of the editor'],
  ])('reports %s as unreachable, naming the status', async (path, status, hint) => {
    const error = await failure(`${base}${path}`, 'DiscoveryUnreachable');
    expect(error.message).toContain(`answered ${status}`);
    expect(error.message).toContain(hint);
  });

  it('refuses to follow a redirect and names its target', async () => {
    const error = await failure(`${base}/redirect/hosting/discovery`, 'DiscoveryUnreachable');
    expect(error.message).toContain(`answered 301 Moved Permanently to ${base}/hosting/discovery`);
    expect(error.message).toContain('give Drive the final URL');
  });

  it('reports a closed port as unreachable', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const error = await failure(
      `http://127.0.0.1:${port}/hosting/discovery`,
      'DiscoveryUnreachable',
    );
    expect(error.message).toContain('connection refused');
  });

  it('reports port 9, which fetch refuses to dial at all, as unreachable', async () => {
    const error = await failure('http://127.0.0.1:9/hosting/discovery', 'DiscoveryUnreachable');
    expect(error.message).toContain("fetch's blocked list");
  });

  it('gives up on a server that never answers after timeoutMs', async () => {
    const started = Date.now();
    const error = await failure(`${base}/silent/hosting/discovery`, 'DiscoveryUnreachable', 300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toContain('no complete answer within 300 ms');
  });

  it('gives up on a body that never ends after timeoutMs', async () => {
    const error = await failure(`${base}/trickle/hosting/discovery`, 'DiscoveryUnreachable', 300);
    expect(error.message).toContain('no complete answer within 300 ms');
  });

  it('stops reading a body past 5 MiB', async () => {
    const error = await failure(`${base}/huge/hosting/discovery`, 'DiscoveryMalformed');
    expect(error.message).toContain('answers more than 5242880 bytes');
  });

  it('calls a login page served with 200 malformed', async () => {
    const error = await failure(`${base}/login/hosting/discovery`, 'DiscoveryMalformed');
    expect(error.message).toContain('root element is <html>');
  });

  it.each(['collabora:9980/hosting/discovery', 'file:///etc/hosts', 'data:text/xml,<x/>'])(
    'refuses %s, which is not an http(s) URL, before any request',
    async (url) => {
      const error = await failure(url, 'DiscoveryUnreachable');
      expect(error.message).toContain('is not an absolute http(s) URL');
    },
  );
});

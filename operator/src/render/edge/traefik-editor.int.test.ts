// A DriveInstance's Traefik objects for a managed Collabora with three replicas, applied to a real
// API server and served by real Traefik through its Kubernetes CRD provider. A stand-in answers
// for coolwsd (an ExternalName Service naming 127.0.0.1; see testbed/traefik.ts): it is not
// Collabora, only a server that records what reaches it and accepts a websocket upgrade.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../testbed/control-plane.js';
import { useServer } from '../../testbed/fixtures.js';
import { installThirdPartyCrds, kubectlWithInput } from '../../testbed/third-party-crds.js';
import { startTraefik } from '../../testbed/traefik.js';
import { loopbackServices } from '../../test-support/loopback-services.js';
import { renderInputs } from '../../test-support/render-inputs.js';
import { eventually } from '../../test-support/operator-under-test.js';
import { renderDrive } from '../drive-objects.js';
import { toMultiDocumentYaml } from '../manifest-yaml.js';

const EDITOR_HOST = 'office.example.com';

interface CoolwsdStandIn {
  port: number;
  paths: string[];
  stop(): Promise<void>;
}

async function startCoolwsdStandIn(): Promise<CoolwsdStandIn> {
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, response) => {
    paths.push(incoming.url ?? '');
    response.setHeader('content-type', 'text/plain');
    response.end(`coolwsd stand-in: ${incoming.url ?? ''}`);
  });
  server.on('upgrade', (incoming: IncomingMessage, socket: Socket) => {
    paths.push(incoming.url ?? '');
    sockets.add(socket);
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    paths,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An https request to Traefik on loopback, for a public host (SNI and Host). */
function get(port: number, host: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: host,
        headers: { host },
        rejectUnauthorized: false,
      },
      (incoming) => {
        let body = '';
        incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
        incoming.on('end', () => {
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Opens a websocket-style upgrade and returns what the far end echoes back. */
function upgradeAndEcho(port: number, host: string, path: string, message: string) {
  return new Promise<{ status: number; echoed: string }>((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1',
      port,
      path,
      servername: host,
      rejectUnauthorized: false,
      headers: {
        host,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    outgoing.on('upgrade', (incoming, socket) => {
      socket.once('data', (chunk: Buffer) => {
        socket.destroy();
        resolve({ status: incoming.statusCode ?? 0, echoed: chunk.toString() });
      });
      socket.write(message);
    });
    outgoing.on('response', (incoming) => {
      resolve({ status: incoming.statusCode ?? 0, echoed: '' });
      incoming.resume();
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('a managed Collabora behind the Traefik edge, on real Traefik', () => {
  const kube = useServer(() => startControlPlane({ controllerManager: false }));
  const coolwsd = useServer(() => startCoolwsdStandIn());
  const traefik = useServer(() =>
    startTraefik({
      kubernetes: {
        server: kube().server,
        token: kube().adminToken,
        caFile: kube().caFile,
        namespaces: ['apps'],
      },
    }),
  );
  const port = () => traefik().securePort;

  beforeAll(async () => {
    await installThirdPartyCrds(kube().kubeconfig);
    const inputs = renderInputs({
      edge: { type: 'traefik', traefik: { entryPoints: ['websecure'] } },
    });
    const { objects } = renderDrive({
      ...inputs,
      editors: inputs.editors.map((editor) => ({
        ...editor,
        managed: {
          resource: 'collabora',
          service: 'collabora-collabora',
          port: coolwsd().port,
          replicas: 3,
          host: EDITOR_HOST,
        },
      })),
    });
    const edge = objects.filter((object) =>
      ['Middleware', 'IngressRoute', 'TraefikService'].includes(object.kind),
    );
    const routes = edge.filter((object) => object.kind === 'IngressRoute');
    await kubectlWithInput(
      kube().kubeconfig,
      ['apply', '--server-side', '-f', '-'],
      toMultiDocumentYaml([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
        ...loopbackServices(routes, 'apps'),
        ...edge,
      ]),
    );
    await eventually(
      async () => (await get(port(), EDITOR_HOST, '/hosting/discovery')).status === 200,
    );
  });

  it('serves the editor paths from coolwsd, query string intact', async () => {
    const path =
      '/browser/0a1b2c/cool.html?WOPISrc=https%3A%2F%2Fdrive.example.com%2Fapi%2Fv1.0%2Fwopi%2Ffiles%2F42';
    for (const wanted of ['/hosting/discovery', '/hosting/capabilities', path]) {
      const answer = await get(port(), EDITOR_HOST, wanted);
      expect(answer.status, wanted).toBe(200);
      expect(answer.body).toBe(`coolwsd stand-in: ${wanted}`);
    }
  });

  it('pins the browser to one pod with a Secure, HttpOnly, SameSite=None cookie', async () => {
    const cookie = String(
      (await get(port(), EDITOR_HOST, '/hosting/discovery')).headers['set-cookie'],
    );
    expect(cookie).toMatch(/^collabora_affinity=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=None/i);
  });

  it('carries the editing websocket to coolwsd', async () => {
    const path =
      '/cool/https%3A%2F%2Fdrive.example.com%2Fapi%2Fv1.0%2Fwopi%2Ffiles%2F42/ws?WOPISrc=x';
    expect(await upgradeAndEcho(port(), EDITOR_HOST, path, 'load url=42')).toEqual({
      status: 101,
      echoed: 'load url=42',
    });
    expect(coolwsd().paths).toContain(path);
  });

  it('refuses the admin console, its websocket and the metrics before they reach coolwsd', async () => {
    for (const path of ['/cool/adminws', '/cool/getMetrics', '/browser/dist/admin/admin.html']) {
      const answer = await get(port(), EDITOR_HOST, path);
      expect(answer.status, path).toBe(403);
      expect(coolwsd().paths, path).not.toContain(path);
    }
    const websocket = await upgradeAndEcho(port(), EDITOR_HOST, '/cool/adminws', 'x');
    expect(websocket.status).toBe(403);
  });

  it('does not route /hosting/wopiAccessCheck, which makes coolwsd call a URL of the caller', async () => {
    const answer = await get(port(), EDITOR_HOST, '/hosting/wopiAccessCheck');
    expect(answer.status).toBe(404);
    expect(coolwsd().paths).not.toContain('/hosting/wopiAccessCheck');
  });
});

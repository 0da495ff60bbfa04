// The gateway against a small HTTP server playing Drive's media-auth answers (the end-to-end suite
// in operator/src/e2e uses the Drive stand-in that follows drive-contract.md).
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { AUTH_PATH, buildGateway } from './gateway.js';

const URI = '/media/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10/na%20me.txt';
const SIGNATURE = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AK/20261121/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=abc',
  'x-amz-date': '20261121T120000Z',
  'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

type Behaviour = (response: ServerResponse) => void;

describe('the media gateway', () => {
  let drive: Server;
  let behaviour: Behaviour;
  const seen: IncomingHttpHeaders[] = [];
  let open = 0;
  let maxOpen = 0;
  let app: FastifyInstance;
  const sockets = new Set<Socket>();

  const forwardAuth = (headers: Record<string, string> = {}) =>
    app.inject({
      method: 'GET',
      url: AUTH_PATH,
      headers: {
        'x-forwarded-uri': URI,
        'x-forwarded-method': 'GET',
        cookie: 'sessionid=alice; csrftoken=t',
        ...headers,
      },
    });

  beforeAll(async () => {
    drive = createServer((request, response) => {
      seen.push(request.headers);
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      response.on('close', () => (open -= 1));
      behaviour(response);
    });
    drive.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => drive.listen(0, '127.0.0.1', resolve));
    const { port } = drive.address() as AddressInfo;
    app = await buildGateway(
      configFromEnv({
        DRIVE_MEDIA_AUTH_URL: `http://127.0.0.1:${String(port)}/api/v1.0/items/media-auth/`,
        PUBLIC_HOST: 'drive.example.test',
        AUTH_TIMEOUT_MS: '300',
        MAX_CONNECTIONS: '2',
        LOG_LEVEL: 'silent',
      }),
    );
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await app.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => drive.close(resolve));
  });

  it('asks Drive as Drive expects, and answers 200 with exactly the signature headers', async () => {
    behaviour = (response) =>
      response
        .writeHead(200, { ...SIGNATURE, 'set-cookie': 'x=y', 'content-type': 'application/json' })
        .end('"authorized"');
    const answer = await forwardAuth({ authorization: 'Bearer user-token' });
    expect(answer.statusCode).toBe(200);
    for (const [name, value] of Object.entries(SIGNATURE)) expect(answer.headers[name]).toBe(value);
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect(seen[0]).toMatchObject({
      host: 'drive.example.test',
      'x-forwarded-proto': 'https',
      'x-original-url': `https://drive.example.test${URI}`,
      'x-original-method': 'GET',
      cookie: 'sessionid=alice; csrftoken=t',
      authorization: 'Bearer user-token',
    });
  });

  it('passes Drive refusals on, 401 and 403 with their body', async () => {
    for (const status of [401, 403]) {
      behaviour = (response) =>
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end('{"detail":"You do not have permission to perform this action."}');
      const answer = await forwardAuth();
      expect(answer.statusCode).toBe(status);
      expect(answer.body).toContain('permission');
      expect(answer.headers.authorization).toBeUndefined();
    }
  });

  it.each([
    [
      'a 200 without the signature',
      (response: ServerResponse) => response.writeHead(200, { authorization: 'x' }).end(),
      502,
      'without x-amz-date, x-amz-content-sha256',
    ],
    [
      'an SSL redirect',
      (response: ServerResponse) => response.writeHead(301, { location: 'https://x/' }).end(),
      502,
      'SSL redirect',
    ],
    [
      'a disallowed host',
      (response: ServerResponse) => response.writeHead(400).end(),
      502,
      'ALLOWED_HOSTS',
    ],
    [
      'a server error',
      (response: ServerResponse) => response.writeHead(500).end(),
      502,
      'answered 500',
    ],
    ['a 404', (response: ServerResponse) => response.writeHead(404).end(), 502, 'answered 404'],
    ['no answer in time', () => undefined, 504, 'timed out'],
  ])('never answers 200 for %s', async (_case, answer, status, reason) => {
    behaviour = answer;
    const reply = await forwardAuth();
    expect(reply.statusCode).toBe(status);
    expect(reply.body).toContain(reason);
    expect(reply.headers.authorization).toBeUndefined();
  });

  it('refuses a traversal before Drive is asked', async () => {
    for (const uri of ['/media/%2e%2e/api/v1.0/users/me/', '/media/item/%252e%252e/x', '/api/x']) {
      const answer = await forwardAuth({ 'x-forwarded-uri': uri });
      expect(answer.statusCode, uri).toBe(403);
    }
    expect(seen).toEqual([]);
  });

  it('keeps at most MAX_CONNECTIONS requests open to Drive', async () => {
    maxOpen = 0;
    behaviour = (response) => {
      setTimeout(() => response.writeHead(200, SIGNATURE).end(), 50);
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => forwardAuth()));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(200));
    expect(maxOpen).toBe(2);
  });

  it('counts outcomes and serves its probes', async () => {
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/media_gateway_requests_total\{outcome="authorized"\} \d+/);
    expect(metrics).toMatch(/media_gateway_requests_total\{outcome="refused"\} 3/);
    expect(metrics).toMatch(/media_gateway_requests_total\{outcome="failed"\} 6/);
    expect(metrics).toContain('media_gateway_auth_duration_seconds_bucket');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('the media gateway without Drive', () => {
  it('answers 502 when Drive is unreachable', async () => {
    const app = await buildGateway(
      configFromEnv({
        DRIVE_MEDIA_AUTH_URL: 'http://127.0.0.1:1/api/v1.0/items/media-auth/',
        PUBLIC_HOST: 'drive.example.test',
        LOG_LEVEL: 'silent',
      }),
    );
    const answer = await app.inject({ url: AUTH_PATH, headers: { 'x-forwarded-uri': URI } });
    expect(answer.statusCode).toBe(502);
    expect(answer.body).toContain('unreachable');
    await app.close();
  });
});

// The HEAD bridge against a small HTTP server playing S3: what it sends, what it returns, and
// that it does not read the object.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { buildGateway } from './gateway.js';

const SIGNED = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AK/20261121/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=abc',
  'x-amz-date': '20261121T120000Z',
  'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};
const OBJECT_SIZE = 256 * 1024 * 1024;

describe('the HEAD bridge', () => {
  let s3: Server;
  let app: FastifyInstance;
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  let bytesWritten = 0;

  beforeAll(async () => {
    s3 = createServer((request, response) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      if (!request.headers.authorization) {
        response.writeHead(403).end();
        return;
      }
      response.writeHead(200, {
        'content-length': String(OBJECT_SIZE),
        'content-type': 'application/pdf',
        etag: '"abc"',
        'last-modified': 'Sat, 21 Nov 2026 12:00:00 GMT',
        'accept-ranges': 'bytes',
        'x-amz-request-id': 'tx1',
      });
      // An endless trickle of the object: only a reader that reads it all would wait for it.
      const chunk = Buffer.alloc(64 * 1024);
      const write = () => {
        while (bytesWritten < OBJECT_SIZE && response.write(chunk)) bytesWritten += chunk.length;
        if (bytesWritten < OBJECT_SIZE) response.once('drain', write);
        else response.end();
      };
      write();
    });
    await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
    const { port } = s3.address() as AddressInfo;
    app = await buildGateway(
      configFromEnv({
        DRIVE_MEDIA_AUTH_URL: 'http://127.0.0.1:1/api/v1.0/items/media-auth/',
        PUBLIC_HOST: 'drive.example.test',
        S3_UPSTREAM_URL: `http://127.0.0.1:${String(port)}`,
        LOG_LEVEL: 'silent',
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    s3.closeAllConnections();
    await new Promise((resolve) => s3.close(resolve));
  });

  it('sends the signed request to S3 as a GET and answers with its headers only', async () => {
    const answer = await app.inject({
      method: 'HEAD',
      url: '/s3-head/drive-media/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10/na%20me.pdf',
      headers: { host: 's3.internal:8080', range: 'bytes=0-9', cookie: 'sessionid=x', ...SIGNED },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-length']).toBe(String(OBJECT_SIZE));
    expect(answer.headers['content-type']).toBe('application/pdf');
    expect(answer.headers.etag).toBe('"abc"');
    expect(answer.headers['x-amz-request-id']).toBeUndefined();
    expect(answer.rawPayload.length).toBe(0);
    expect(seen.at(-1)).toMatchObject({
      method: 'GET',
      url: '/drive-media/item/5b0c3e52-0d0e-4c8e-9d55-3a1f0b3c2a10/na%20me.pdf',
      headers: { host: 's3.internal:8080', range: 'bytes=0-9', ...SIGNED },
    });
    expect(seen.at(-1)?.headers.cookie).toBeUndefined();
    // The object was not read to its end.
    expect(bytesWritten).toBeLessThan(OBJECT_SIZE);
  });

  it('refuses what carries no signature, and serves HEAD only', async () => {
    const before = seen.length;
    const unsigned = await app.inject({ method: 'HEAD', url: '/s3-head/drive-media/x' });
    expect(unsigned.statusCode).toBe(403);
    expect(seen.length).toBe(before);
    const get = await app.inject({ method: 'GET', url: '/s3-head/drive-media/x', headers: SIGNED });
    expect(get.statusCode).toBe(404);
  });
});

describe('the gateway without S3_UPSTREAM_URL', () => {
  it('has no HEAD bridge', async () => {
    const app = await buildGateway(
      configFromEnv({
        DRIVE_MEDIA_AUTH_URL: 'http://127.0.0.1:1/api/v1.0/items/media-auth/',
        PUBLIC_HOST: 'drive.example.test',
        LOG_LEVEL: 'silent',
      }),
    );
    const answer = await app.inject({
      method: 'HEAD',
      url: '/s3-head/drive-media/x',
      headers: SIGNED,
    });
    expect(answer.statusCode).toBe(404);
    await app.close();
  });
});

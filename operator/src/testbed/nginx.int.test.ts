import { describe, expect, it } from 'vitest';
import { useServer } from './fixtures.js';
import { startHttpServer } from './http-backend.js';
import { startNginx } from './nginx.js';

describe('nginx (test bed)', () => {
  // The auth server allows requests that carry the right cookie and names the user.
  const auth = useServer(() =>
    startHttpServer((request, response) => {
      const allowed = request.headers.cookie === 'session=good';
      response.statusCode = allowed ? 200 : 403;
      if (allowed) response.setHeader('x-user', 'alice');
      response.end();
    }),
  );
  const backend = useServer(() => startHttpServer());
  const nginx = useServer(() =>
    startNginx(
      (port) => `
  server {
    listen 127.0.0.1:${String(port)};
    location /protected/ {
      auth_request /auth;
      auth_request_set $user $upstream_http_x_user;
      proxy_set_header X-User $user;
      proxy_pass ${backend().url};
    }
    location = /auth {
      internal;
      proxy_pass ${auth().url}/check;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $request_uri;
    }
  }`,
    ),
  );

  it('lets auth_request allow a request and pass on what the auth answer says', async () => {
    const response = await fetch(`${nginx().url}/protected/file.txt`, {
      headers: { cookie: 'session=good' },
    });
    expect(response.status).toBe(200);
    const seen = (await response.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-user']).toBe('alice');
    expect(auth().requests.at(-1)?.headers['x-original-url']).toBe('/protected/file.txt');
  });

  it('lets auth_request refuse a request', async () => {
    const before = backend().requests.length;
    const response = await fetch(`${nginx().url}/protected/file.txt`, {
      headers: { cookie: 'session=bad' },
    });
    expect(response.status).toBe(403);
    expect(backend().requests.length).toBe(before);
  });
});

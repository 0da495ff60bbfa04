// A stand-in IdP whose registration answers are lost: it publishes a discovery document with a
// registration endpoint, reads each registration request to the end, counts it, and then drops
// the connection without answering, as a proxy timing out after the IdP created the client would.
// It is not an IdP; it exists to test what the operator does when it cannot know the outcome.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnswerLosingIdp {
  issuer: string;
  /** Registration requests received (each may have created a client at a real IdP). */
  registrations: number;
  stop(): Promise<void>;
}

export async function startAnswerLosingIdp(): Promise<AnswerLosingIdp> {
  let issuer = '';
  const state = { registrations: 0 };
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/openid-configuration') {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          registration_endpoint: `${issuer}/register`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
      return;
    }
    if (request.method === 'POST' && request.url === '/register') {
      request.resume();
      request.on('end', () => {
        state.registrations += 1;
        request.socket.destroy();
      });
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    issuer,
    get registrations() {
      return state.registrations;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

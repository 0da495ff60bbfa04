// The test IdP under a host name, as a Compose project reaches an external IdP: its issuer is
// http://<name>:<port>, it still listens on loopback only (on a port of its own), and the
// project's namespace bridges that name and port to it. The test reaches it by the same URL,
// through a dispatcher that connects every request for that origin to the loopback port and
// refuses any other, so no login leaves the machine (testbed/oidc-login.ts logs users in through
// its fetch).
import { connect } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  startOidcProvider,
  type OidcClientRegistration,
  type OidcProvider,
} from '../testbed/oidc-provider.js';

export interface NamedIdp extends OidcProvider {
  /** fetch for the IdP's own URLs, by its name. */
  fetch: typeof fetch;
}

/** `issuer` is an http:// origin: the name and port the project reaches the IdP by. */
export async function startNamedIdp(
  issuer: string,
  options: { clients: OidcClientRegistration[]; groups?: Record<string, string[]> },
): Promise<NamedIdp> {
  const named = new URL(issuer);
  const idp = await startOidcProvider({ ...options, issuer: named.origin });
  const dispatcher = new Agent({
    connect: (target, callback) => {
      const origin = `${target.protocol}//${target.hostname}:${target.port}`;
      if (origin !== `${named.protocol}//${named.hostname}:${named.port}`) {
        callback(new Error(`${origin} is not the test IdP`), null);
        return;
      }
      const socket = connect({ host: '127.0.0.1', port: idp.port });
      const refused = (error: Error) => {
        callback(error, null);
      };
      // Once connected, the socket's errors are undici's to handle, not the connector's.
      socket.once('error', refused);
      socket.once('connect', () => {
        socket.off('error', refused);
        callback(null, socket);
      });
    },
  });
  const send = (input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string | URL, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
  return {
    ...idp,
    fetch: send,
    stop: async () => {
      await dispatcher.destroy();
      await idp.stop();
    },
  };
}

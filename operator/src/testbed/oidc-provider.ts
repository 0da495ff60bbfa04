// The test IdP (oidc-provider from npm) in a child process on loopback.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, httpOk, serverDirectory, startServer } from './processes.js';

export interface OidcClientRegistration {
  client_id: string;
  client_secret?: string;
  grant_types: string[];
  response_types: string[];
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  scope?: string;
  token_endpoint_auth_method?: string;
}

export interface OidcProvider {
  issuer: string;
  /** The loopback port it listens on, whatever name its issuer gives. */
  port: number;
  /** A confidential client allowed client_credentials. */
  operatorClient: { id: string; secret: string };
  /** Bearer token for RFC 7591 registration. */
  initialAccessToken: string;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
}

const SERVER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'oidc-provider-server.mjs');

export async function startOidcProvider(
  options: {
    clients?: OidcClientRegistration[];
    /** Login name → its `groups` claim (profile scope), as Keycloak's group mapper gives it. */
    groups?: Record<string, string[]>;
    /**
     * Sign with a key of its own instead of oidc-provider's built-in development keys, which
     * every instance shares: for tests where another IdP's signature must not verify.
     */
    ownSigningKey?: boolean;
    /**
     * The issuer, when clients reach the IdP by a name other than its loopback address (a
     * Compose project reaches it by a host name bridged to that port). http://127.0.0.1:<port>
     * when not given.
     */
    issuer?: string;
    detached?: boolean;
  } = {},
): Promise<OidcProvider> {
  const directory = await serverDirectory('oidc');
  const port = await freePort();
  const operatorClient = { id: 'operator', secret: randomBytes(16).toString('hex') };
  const initialAccessToken = randomBytes(16).toString('hex');
  const configFile = join(directory, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      port,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      initialAccessToken,
      cookieKeys: [randomBytes(16).toString('hex')],
      groups: options.groups ?? {},
      ...(options.ownSigningKey === true ? { jwks: { keys: [signingKey()] } } : {}),
      clients: [
        {
          client_id: operatorClient.id,
          client_secret: operatorClient.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: 'api:read',
        },
        ...(options.clients ?? []),
      ],
    }),
    { mode: 0o600 },
  );
  const loopback = `http://127.0.0.1:${String(port)}`;
  const server = await startServer('oidc-provider', process.execPath, [SERVER_SCRIPT, configFile], {
    logFile: join(directory, 'oidc-provider.log'),
    detached: options.detached,
    directory,
    ready: () => httpOk(`${loopback}/.well-known/openid-configuration`),
  });
  return {
    issuer: options.issuer ?? loopback,
    port,
    operatorClient,
    initialAccessToken,
    directory,
    pids: [server.pid],
    stop: () => server.stop(),
  };
}

// The mounts service (app.ts, with the sessions extension) on loopback for the session and
// share-link tests, configured through the environment contract like the real one, against the
// test bed's IdP, Redis and Samba. One probe route is added: it answers who the request is (the
// API has no such endpoint) past authentication and CSRF, through the same grant seam.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createService, type Service, type ServiceExtension } from '../app.js';
import { configFromEnv } from '../config.js';
import { sessionExtension, type SessionExtensionOptions } from '../session/extension.js';
import type { OidcSettings } from '../session/oidc.js';
import type { OidcClientRegistration } from '../../../../operator/src/testbed/oidc-provider.js';
import { TestBrowser } from './browser.js';

export {
  startOidcProvider,
  type OidcProvider,
} from '../../../../operator/src/testbed/oidc-provider.js';
export { startRedis, type Redis } from '../../../../operator/src/testbed/redis.js';
export { useServer } from '../../../../operator/src/testbed/fixtures.js';

export const PUBLIC_URL = 'https://drive.example.test';

/** Drive's client as the operator registers it: code flow, client_secret_post, the mounts' URIs. */
export function driveClient(secret: string): OidcClientRegistration {
  return {
    client_id: 'drive',
    client_secret: secret,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [`${PUBLIC_URL}/api/v1.0/callback/`, `${PUBLIC_URL}/mounts/auth/callback`],
    post_logout_redirect_uris: [`${PUBLIC_URL}/mounts/`],
    token_endpoint_auth_method: 'client_secret_post',
  };
}

/** The endpoints, from the IdP's discovery document, as the operator passes them on. */
export async function oidcSettings(
  issuer: string,
  client: { id: string; secret: string },
  scopes = 'openid email profile',
): Promise<OidcSettings> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  const document = (await response.json()) as Record<string, string | undefined>;
  const endpoint = (name: string): string => {
    const value = document[name];
    if (value === undefined) throw new Error(`the IdP's discovery has no ${name}`);
    return value;
  };
  return {
    issuer: endpoint('issuer'),
    clientId: client.id,
    clientSecret: client.secret,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    userinfoEndpoint: endpoint('userinfo_endpoint'),
    jwksEndpoint: endpoint('jwks_uri'),
    ...(document.end_session_endpoint === undefined
      ? {}
      : { endSessionEndpoint: document.end_session_endpoint }),
    scopes,
  };
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface MountEntry {
  name: string;
  host: string;
  port: number;
  share: string;
  path: string;
  username: string;
  password: string;
  roles: unknown[];
}

/** A mount on no SMB server (a loopback port nothing listens on), for tests that never reach it. */
export function unreachableMount(roles: unknown[]): MountEntry {
  return {
    name: 'team',
    host: '127.0.0.1',
    port: 9,
    share: 'share',
    path: '/',
    username: 'unused',
    password: 'unused',
    roles,
  };
}

/** The environment the operator would write (operator/src/render/smb-mounts.ts). */
export function sessionEnv(input: {
  oidc: OidcSettings;
  redisUrl: string;
  mounts: MountEntry[];
  overrides?: Record<string, string>;
}): Record<string, string> {
  const { oidc } = input;
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    PUBLIC_URL,
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
    OIDC_AUTHORIZATION_ENDPOINT: oidc.authorizationEndpoint,
    OIDC_TOKEN_ENDPOINT: oidc.tokenEndpoint,
    OIDC_USERINFO_ENDPOINT: oidc.userinfoEndpoint,
    OIDC_JWKS_ENDPOINT: oidc.jwksEndpoint,
    ...(oidc.endSessionEndpoint === undefined
      ? {}
      : { OIDC_END_SESSION_ENDPOINT: oidc.endSessionEndpoint }),
    OIDC_SCOPES: oidc.scopes,
    REDIS_URL: input.redisUrl,
    SESSION_SECRET: newSecret(),
    SHARE_LINK_SECRET: newSecret(),
    WOPI_TOKEN_SECRET: newSecret(),
    // Whole-file PUT, so that a test can upload with one request.
    UPLOAD_CHUNKED: 'false',
    SMB_WORKERS: '2',
    MOUNTS: JSON.stringify(
      input.mounts.map(({ username: _u, password: _p, ...mount }) => {
        const variable = mount.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
        return {
          ...mount,
          security: { signing: 'Auto', encryption: 'Auto', minProtocol: 'SMB2_02' },
          usernameVariable: `SMB_${variable}_USERNAME`,
          passwordVariable: `SMB_${variable}_PASSWORD`,
        };
      }),
    ),
    ...input.overrides,
  };
  for (const mount of input.mounts) {
    const variable = mount.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    env[`SMB_${variable}_USERNAME`] = mount.username;
    env[`SMB_${variable}_PASSWORD`] = mount.password;
  }
  return env;
}

export const PROBE_PATH = (mount: string) => `/mounts/api/v1/m/${mount}/probe/identity`;

/** GET and POST: who the request is and its grant on the mount. */
const probe: ServiceExtension = {
  name: 'identity probe',
  register: (app, context) => {
    app.route<{ Params: { mount: string } }>({
      method: ['GET', 'POST'],
      url: '/mounts/api/v1/m/:mount/probe/identity',
      handler: async (request) => {
        const grant = await context.auth.grant(request, request.params.mount);
        return {
          principal: grant.principal,
          role: grant.role,
          scope: grant.scope?.toString() ?? null,
        };
      },
    });
  },
};

export interface RunningService extends Service {
  url: string;
  env: Record<string, string>;
  sessionSecret: string;
  shareLinkSecret: string;
  browser(): TestBrowser;
  stop(): Promise<void>;
}

export async function startService(
  env: Record<string, string>,
  options: SessionExtensionOptions = {},
): Promise<RunningService> {
  const service = await createService(configFromEnv(env), {
    extensions: [sessionExtension(options), probe],
  });
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = service.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${String(port)}`;
  return {
    ...service,
    url,
    env,
    sessionSecret: env.SESSION_SECRET ?? '',
    shareLinkSecret: env.SHARE_LINK_SECRET ?? '',
    browser: () => new TestBrowser({ [PUBLIC_URL]: url }),
    stop: () => service.app.close(),
  };
}

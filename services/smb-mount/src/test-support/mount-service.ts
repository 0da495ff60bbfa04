// The mounts service as its tests run it: the environment the operator would write (mounts on
// the test bed's Samba, the test IdP's endpoints, the test bed's Redis), the service in this
// process on a loopback port, and a small client that sends real access tokens.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { OidcProvider } from '../../../../operator/src/testbed/oidc-provider.js';
import type { Samba } from '../../../../operator/src/testbed/samba.js';
import { createService, type Service, type ServiceOptions } from '../app.js';
import { configFromEnv, type RoleBinding } from '../config.js';

export interface MountSpec {
  name: string;
  samba: Samba;
  /** The directory inside the share that is the mount root. Default /. */
  path?: string;
  roles: RoleBinding[];
  /** Another port than Samba's: a mount whose server is down. */
  port?: number;
}

function security(samba: Samba) {
  return samba.profile === 'hardened'
    ? { signing: 'Required', encryption: 'Required', minProtocol: 'SMB3_00' }
    : { signing: 'Required', encryption: 'Auto', minProtocol: 'SMB2_02' };
}

/** The environment contract (operator/src/render/smb-mounts.ts) for these mounts. */
export function serviceEnv(input: {
  idp: OidcProvider;
  clientId: string;
  clientSecret: string;
  redisUrl: string;
  mounts: MountSpec[];
  overrides?: Record<string, string>;
}): Record<string, string> {
  const { issuer } = input.idp;
  const env: Record<string, string> = {
    PORT: '8090',
    BIND_ADDRESS: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'https://drive.example.test',
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: input.clientId,
    OIDC_CLIENT_SECRET: input.clientSecret,
    OIDC_AUTHORIZATION_ENDPOINT: `${issuer}/auth`,
    OIDC_TOKEN_ENDPOINT: `${issuer}/token`,
    OIDC_USERINFO_ENDPOINT: `${issuer}/me`,
    OIDC_JWKS_ENDPOINT: `${issuer}/jwks`,
    REDIS_URL: input.redisUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    SHARE_LINK_SECRET: randomBytes(32).toString('hex'),
    WOPI_TOKEN_SECRET: randomBytes(32).toString('hex'),
    SMB_WORKERS: '4',
    SMB_TIMEOUT_MS: '20000',
    MOUNTS: JSON.stringify(
      input.mounts.map((mount) => {
        const variable = mount.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
        return {
          name: mount.name,
          host: mount.samba.host,
          port: mount.port ?? mount.samba.port,
          share: mount.samba.share,
          path: mount.path ?? '/',
          security: security(mount.samba),
          roles: mount.roles,
          usernameVariable: `SMB_${variable}_USERNAME`,
          passwordVariable: `SMB_${variable}_PASSWORD`,
        };
      }),
    ),
    ...input.overrides,
  };
  for (const mount of input.mounts) {
    const variable = mount.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    env[`SMB_${variable}_USERNAME`] = mount.samba.user;
    env[`SMB_${variable}_PASSWORD`] = mount.samba.password;
  }
  return env;
}

export interface RunningService extends Service {
  /** http://127.0.0.1:<port> */
  origin: string;
  stop(): Promise<void>;
}

export async function startService(
  env: Record<string, string>,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const service = await createService(configFromEnv(env), options);
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.app.server.address() as AddressInfo;
  return {
    ...service,
    origin: `http://127.0.0.1:${String(port)}`,
    stop: () => service.app.close(),
  };
}

/** `?path=…` and other query parameters, encoded as a client would. */
export function query(parameters: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export interface ApiClient {
  (path: string, init?: RequestInit): Promise<Response>;
  json(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Requests to the service, with the token (if any) as a bearer credential. */
export function apiClient(origin: string, token?: string): ApiClient {
  const send = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token !== undefined && !headers.has('authorization'))
      headers.set('authorization', `Bearer ${token}`);
    return fetch(`${origin}${path}`, { ...init, headers });
  };
  const json = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    const response = await send(path, { ...init, headers });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? undefined : JSON.parse(text),
      headers: response.headers,
    };
  };
  return Object.assign(send, { json });
}

export function mountApi(
  mount: string,
  endpoint: string,
  parameters: Parameters<typeof query>[0] = {},
): string {
  return `/mounts/api/v1/m/${mount}/${endpoint}${query(parameters)}`;
}

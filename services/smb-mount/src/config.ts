// The mounts service's settings, from the environment the operator (or Compose) gives it
// (operator/src/render/smb-mounts.ts writes the contract), checked once at start: a wrong value
// stops it with the variable named. Secret values are never repeated in a message.
import { z } from 'zod';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The path every mount is served under, one segment per mount. */
export const MOUNTS_BASE_PATH = '/mounts/';
/** Segments under /mounts/ the service routes itself; the operator refuses them as mount names. */
export const RESERVED_NAMES = ['api', 'auth', 's', 'wopi'] as const;

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const secret = (what: string) =>
  z.string().min(32, `must be at least 32 characters (${what})`).describe(what);

const roleBinding = z.object({
  subject: z.union([
    z.object({ sub: z.string().min(1) }).strict(),
    z.object({ email: z.string().min(3) }).strict(),
    z.object({ group: z.string().min(1) }).strict(),
  ]),
  role: z.enum(['viewer', 'editor', 'manager']),
});

const mountDescription = z
  .object({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a StorageMount name'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    share: z.string().min(1),
    path: z.string().startsWith('/'),
    domain: z.string().optional(),
    security: z.object({
      signing: z.enum(['Required', 'Auto']),
      encryption: z.enum(['Required', 'Auto', 'Off']),
      minProtocol: z.enum(['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_11']),
    }),
    roles: z.array(roleBinding),
    usernameVariable: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
    passwordVariable: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
  })
  .strict();

export type RoleBinding = z.infer<typeof roleBinding>;
export type Role = RoleBinding['role'];

export interface MountConfig extends Omit<
  z.infer<typeof mountDescription>,
  'usernameVariable' | 'passwordVariable'
> {
  username: string;
  password: string;
}

const booleanText = z.enum(['true', 'false']).transform((value) => value === 'true');

const environment = z.object({
  PORT: integer(8090, 1, 65535),
  BIND_ADDRESS: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PUBLIC_URL: z
    .url({ protocol: /^https$/ })
    .transform((url) => new URL(url).origin)
    .describe('The Drive origin the mounts are served on, e.g. https://drive.example.com.'),
  MOUNTS: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.array(mountDescription).min(1, 'must describe at least one mount')),
  OIDC_ISSUER: z.url(),
  OIDC_CLIENT_ID: z.string().min(1),
  OIDC_CLIENT_SECRET: z.string().min(1),
  OIDC_AUTHORIZATION_ENDPOINT: z.url(),
  OIDC_TOKEN_ENDPOINT: z.url(),
  OIDC_USERINFO_ENDPOINT: z.url(),
  OIDC_JWKS_ENDPOINT: z.url(),
  OIDC_END_SESSION_ENDPOINT: z.url().optional(),
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }),
  SESSION_SECRET: secret('signs the web UI session cookie'),
  SHARE_LINK_SECRET: secret('signs share links'),
  WOPI_TOKEN_SECRET: secret('signs WOPI access tokens'),
  WOPI_DISCOVERY_URLS: z
    .string()
    .default('')
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(z.array(z.url())),
  UPLOAD_CHUNKED: booleanText.default(true),
  UPLOAD_CHUNK_SIZE_BYTES: integer(8 * MiB, 256 * 1024, 5 * GiB),
  UPLOAD_MAX_FILE_SIZE_BYTES: integer(2 * GiB, MiB, 5 * 1024 * GiB),
  /** libsmbclient calls block: they run on this many worker threads, one SMB context each. */
  SMB_WORKERS: integer(4, 1, 64),
  SMB_TIMEOUT_MS: integer(30_000, 1000, 600_000),
  /**
   * After SIGTERM, how long readiness fails while requests are still taken, so that the edge
   * stops routing here before the listener closes; requests in flight then finish.
   */
  DRAIN_DELAY_MS: integer(3000, 0, 60_000),
});

export type MountsConfig = Omit<z.infer<typeof environment>, 'MOUNTS'> & {
  MOUNTS: MountConfig[];
};

const SECRET_VARIABLES = new Set([
  'OIDC_CLIENT_SECRET',
  'REDIS_URL',
  'SESSION_SECRET',
  'SHARE_LINK_SECRET',
  'WOPI_TOKEN_SECRET',
]);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function shown(name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined) return '(not set)';
  return SECRET_VARIABLES.has(name) ? '(set, not shown)' : JSON.stringify(value);
}

export function configFromEnv(env: NodeJS.ProcessEnv): MountsConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues
        .map((issue) => {
          const name = String(issue.path[0] ?? '');
          const where = issue.path.length > 1 ? ` at ${issue.path.slice(1).join('.')}` : '';
          return `${name}=${shown(name, env)}${where}: ${issue.message}`;
        })
        .join('; '),
    );
  const problems: string[] = [];
  const mounts = parsed.data.MOUNTS.map((mount) => {
    const { usernameVariable, passwordVariable, ...rest } = mount;
    const username = env[usernameVariable];
    const password = env[passwordVariable];
    for (const [variable, value] of [
      [usernameVariable, username],
      [passwordVariable, password],
    ] as const)
      if (!value) problems.push(`${variable} (mount ${mount.name}) is not set`);
    return { ...rest, username: username ?? '', password: password ?? '' };
  });
  for (const mount of mounts)
    if ((RESERVED_NAMES as readonly string[]).includes(mount.name))
      problems.push(
        `mount ${mount.name}: the name is one of the service's own paths under /mounts/`,
      );
  const names = mounts.map((mount) => mount.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) problems.push(`MOUNTS names mount ${duplicate} twice`);
  if (parsed.data.UPLOAD_CHUNK_SIZE_BYTES > parsed.data.UPLOAD_MAX_FILE_SIZE_BYTES)
    problems.push('UPLOAD_CHUNK_SIZE_BYTES is larger than UPLOAD_MAX_FILE_SIZE_BYTES');
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return { ...parsed.data, MOUNTS: mounts };
}

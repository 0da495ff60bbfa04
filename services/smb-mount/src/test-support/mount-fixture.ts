// One test file's servers for the API tests: the test IdP (with its users' groups), Redis, and
// the service over a mount on the test bed's Samba, with real access tokens per user.
import { createHash } from 'node:crypto';
import { startOidcProvider } from '../../../../operator/src/testbed/oidc-provider.js';
import { startRedis } from '../../../../operator/src/testbed/redis.js';
import type { RoleBinding } from '../config.js';
import type { ServiceOptions } from '../app.js';
import { AccessTokens, testClient } from './access-tokens.js';
import { serviceEnv, startService, type MountSpec, type RunningService } from './mount-service.js';
import { useServer } from './samba-share.js';

/**
 * The users of the tests and how they get their role on the `docs` mount: by group (manny), by
 * email (eve), by sub (vic), and mia, whose group makes her a viewer and whose sub an editor (the
 * higher wins). ned has no role.
 */
export const USERS = {
  manager: 'manny',
  editor: 'eve',
  viewer: 'vic',
  both: 'mia',
  none: 'ned',
} as const;

export const GROUPS: Record<string, string[]> = {
  manny: ['managers'],
  mia: ['staff'],
  ned: ['outsiders'],
};

export const DOCS_ROLES: RoleBinding[] = [
  { subject: { group: 'managers' }, role: 'manager' },
  { subject: { email: 'eve@example.test' }, role: 'editor' },
  { subject: { sub: 'vic' }, role: 'viewer' },
  { subject: { group: 'staff' }, role: 'viewer' },
  { subject: { sub: 'mia' }, role: 'editor' },
];

export function useIdentityAndRedis() {
  const client = testClient();
  const idp = useServer(() =>
    startOidcProvider({ clients: [client.registration], groups: GROUPS }),
  );
  const redis = useServer(() => startRedis());
  const tokens = new AccessTokens(idp, client);
  const start = (
    mounts: MountSpec[],
    overrides: Record<string, string> = {},
    options: ServiceOptions = {},
  ): Promise<RunningService> =>
    startService(
      serviceEnv({
        idp: idp(),
        clientId: client.id,
        clientSecret: client.secret,
        redisUrl: redis().url,
        mounts,
        overrides,
      }),
      options,
    );
  return { idp, redis, tokens, start, client };
}

/** The sum of a counter's samples whose labels include all of `labels`. */
export async function counter(
  origin: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// A Compose project with SMB mounts, run as rendered: the `mounts` service (services/smb-mount,
// from its image emulation) behind the rendered edge (nginx or Traefik) in the emulated Compose
// network. What the project reaches outside runs on the test bed and is bridged in under the
// names the resources give it: Samba in each profile as an SMB host of its own, Redis as the
// project's `redis` (its password set in .env), the test IdP as sso.example.test. Drive itself does
// not run: the mounts need only its IdP client and its Redis.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { DefaultHttpStack, type HttpStack } from 'tus-js-client';
import { request, type Dispatcher } from 'undici';
import { secretVariable } from '../render/compose/compose-values.js';
import { objectNames } from '../render/object-names.js';
import type { OidcClientRegistration } from '../testbed/oidc-provider.js';
import type { Redis } from '../testbed/redis.js';
import { putOnShare, type Samba, type SambaProfile } from '../testbed/samba.js';
import type { SpawnedService } from '../testbed/compose-namespace.js';
import {
  composeFixture,
  runComposeServices,
  waitHealthy,
  type ComposeFixture,
  type RunningProject,
} from './compose-run.js';
import type { NamedIdp } from './named-idp.js';

export const DRIVE_HOST = 'drive.example.test';
// Not port 80: the namespace's services share one network stack, where the edge binds :80 on
// every address (in Compose each container has its own).
export const IDP_ISSUER = 'http://sso.example.test:8180';
export const MOUNTS_CALLBACK = `https://${DRIVE_HOST}/mounts/auth/callback`;
const MiB = 1024 * 1024;
export const CHUNK_SIZE_BYTES = 5 * MiB;
/** spec.smb.path of every mount: the share's directory that is the mount root. */
export const MOUNT_ROOT = 'drive';

export interface Share {
  /** The StorageMount's name, the mount's path segment under /mounts/. */
  mount: string;
  profile: SambaProfile;
  /** The SMB host the StorageMount names, bridged to that profile's Samba. */
  host: string;
  /** spec.smb.security, as written in the StorageMount. */
  security: string;
}

/** One mount per Samba profile; the hardened one asks for what that server requires. */
export const SHARES: readonly Share[] = [
  { mount: 'team-share', profile: 'default', host: 'files.example.test', security: '{}' },
  {
    mount: 'secure-share',
    profile: 'hardened',
    host: 'vault.example.test',
    security: '{ signing: Required, encryption: Required, minProtocol: SMB3_00 }',
  },
];

/** Login names at the test IdP, and how the mounts' roles reach them. */
export const USERS = {
  /** editor by the `groups` claim */
  editor: 'eve',
  /** viewer by email */
  viewer: 'vic',
  /** no role */
  outsider: 'ned',
} as const;
export const GROUPS: Record<string, string[]> = { eve: ['drive-editors'], ned: ['outsiders'] };
const ROLES = `[{ subject: { group: drive-editors }, role: editor }, { subject: { email: vic@example.test }, role: viewer }]`;

const credentialsSecret = (share: Share) => `${share.mount}-smb`;
const OIDC_SECRET = 'drive-oidc';

/** Drive's client at the IdP, registered as the operator would register it. */
export function driveClient(): OidcClientRegistration & { client_secret: string } {
  return {
    client_id: 'drive',
    client_secret: randomBytes(24).toString('hex'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`https://${DRIVE_HOST}/api/v1.0/callback/`, MOUNTS_CALLBACK],
  };
}

function resources(edge: 'nginx' | 'traefik', idp: string): Record<string, string> {
  const api = 'apiVersion: lasuite.selfhost.dev/v1alpha1';
  const files: Record<string, string> = {
    'drive.yaml': `${api}
kind: DriveInstance
metadata: { name: drive }
spec:
  version: v0.21.1
  host: ${DRIVE_HOST}
  tls: { secretName: drive-tls }
  oidcClientRef: { name: drive-login }
  storageRef: { name: drive-media }
  mounts: [${SHARES.map((share) => `{ name: ${share.mount} }`).join(', ')}]
  database: { cloudNativePG: { instances: 1 } }
  redis: { managed: {} }
  backend: { replicas: 1 }
  frontend: { replicas: 1 }
  upload: { chunked: true, chunkSizeBytes: ${String(CHUNK_SIZE_BYTES)}, maxFileSizeBytes: ${String(1024 * MiB)} }
`,
    'storage.yaml': `${api}
kind: StorageMount
metadata: { name: drive-media }
spec:
  type: s3
  s3:
    provider: seaweedfs
    bucket: { name: drive-media }
    endpoints: { internal: 'http://seaweedfs:8333', public: 'https://s3.example.test' }
    adminCredentials: { name: seaweedfs-admin }
`,
    // An external IdP the project reaches by name, its endpoints given because nothing is
    // discovered while rendering offline; the test checks them against its discovery document.
    'identity.yaml': `${api}
kind: OidcClient
metadata: { name: drive-login }
spec:
  issuer: ${idp}
  credentials: { secretRef: { name: ${OIDC_SECRET} } }
`,
    'project.yaml': `${api}
kind: ComposeProject
metadata: { name: mounts-test }
spec:
  edge: { type: ${edge} }
  identity:
    endpoints:
      authorization: ${idp}/auth
      token: ${idp}/token
      userinfo: ${idp}/me
      jwks: ${idp}/jwks
      endSession: ${idp}/session/end
`,
  };
  for (const share of SHARES)
    files[`${share.mount}.yaml`] = `${api}
kind: StorageMount
metadata: { name: ${share.mount} }
spec:
  type: smb
  smb:
    host: ${share.host}
    share: share
    path: /${MOUNT_ROOT}
    credentialsSecretRef: { name: ${credentialsSecret(share)} }
    roles: ${ROLES}
    security: ${share.security}
`;
  return files;
}

export interface MountsServers {
  idp: NamedIdp;
  client: { id: string; secret: string };
  redis: Redis;
  samba: Record<SambaProfile, Samba>;
}

export interface ComposeMounts {
  fixture: ComposeFixture;
  running: RunningProject;
  /** The mounts service as started. */
  mounts: SpawnedService;
  /** A request to https://<drive host><path> through the rendered edge. */
  request(
    path: string,
    options?: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string },
  ): Promise<Dispatcher.ResponseData>;
  /** tus-js-client's HTTP stack, connected through the rendered edge. */
  tusHttpStack: HttpStack;
  stop(): Promise<void>;
}

/** The mounts' .env values: the servers' real credentials where the resources reference them. */
function envValues(servers: MountsServers): Record<string, string> {
  const env: Record<string, string> = {
    [secretVariable(OIDC_SECRET, 'client_id')]: servers.client.id,
    [secretVariable(OIDC_SECRET, 'client_secret')]: servers.client.secret,
    [secretVariable(objectNames.redis('drive'), 'password')]: servers.redis.password,
  };
  for (const share of SHARES) {
    const samba = servers.samba[share.profile];
    env[secretVariable(credentialsSecret(share), 'username')] = samba.user;
    env[secretVariable(credentialsSecret(share), 'password')] = samba.password;
  }
  return env;
}

const loopback = (port: number) => ({ host: '127.0.0.1', port });

export async function startComposeMounts(
  edge: 'nginx' | 'traefik',
  servers: MountsServers,
): Promise<ComposeMounts> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    for (const share of SHARES)
      await putOnShare(servers.samba[share.profile], `${MOUNT_ROOT}/.keep`, new Uint8Array());
    const fixture = await composeFixture(resources(edge, servers.idp.issuer), {
      certificate: true,
      env: envValues(servers),
    });
    stops.push(() => fixture.remove());
    const project = await fixture.load();
    const issuer = new URL(servers.idp.issuer);
    const outside = Object.fromEntries(
      SHARES.map((share) => [
        share.host,
        [{ port: 445, target: loopback(servers.samba[share.profile].port) }],
      ]),
    );
    const running = await runComposeServices(project, {
      inside: ['mounts', 'edge'],
      outside: {
        ...outside,
        redis: [{ port: 6379, target: loopback(servers.redis.port) }],
        [issuer.hostname]: [{ port: Number(issuer.port), target: loopback(servers.idp.port) }],
      },
      expose: [{ service: 'edge', port: 443 }],
    });
    stops.push(() => running.stop());

    // Compose's order: the edge starts once the mounts service has (depends_on).
    const mounts = await running.start('mounts');
    await waitHealthy(running, 'mounts', 30_000);
    if (edge === 'nginx') {
      const test = await running.namespace.exec({ argv: ['nginx', '-t'] });
      if (test.code !== 0)
        throw new Error(`nginx -t refused the rendered configuration:\n${test.stderr}`);
    }
    await running.start('edge');
    await running.namespace.waitTcp('edge', 443, 30_000);

    const ca = await readFile(join(fixture.directory, 'certs/tls.crt'));
    const dispatcher = running.namespace.dispatcher('edge', 443, { ca });
    const send: ComposeMounts['request'] = (path, options = {}) =>
      request(`https://${DRIVE_HOST}${path}`, {
        method: options.method ?? 'GET',
        headers: { host: DRIVE_HOST, ...options.headers },
        ...(options.body === undefined ? {} : { body: options.body }),
        dispatcher,
      });
    await waitRouted(send, running, 30_000);
    const socketPath = running.namespace.socketPath('edge', 443);
    // tus-js-client speaks through node:https; its agent connects through the exposed socket.
    const agent = Object.assign(new HttpsAgent({ keepAlive: true }), {
      createConnection: () =>
        tlsConnect({ socket: connect(socketPath), servername: DRIVE_HOST, ca }),
    });
    stops.push(() => {
      agent.destroy();
      return Promise.resolve();
    });
    return {
      fixture,
      running,
      mounts,
      request: send,
      tusHttpStack: new DefaultHttpStack({ agent }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Until the edge routes /mounts/ to the service (Traefik reads its routes after it listens). */
async function waitRouted(
  send: ComposeMounts['request'],
  running: RunningProject,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: string;
    try {
      const answer = await send('/mounts/api/v1/mounts');
      await answer.body.dump();
      // The service's own refusal of an anonymous request.
      if (
        answer.statusCode === 401 &&
        String(answer.headers['www-authenticate']).startsWith('Bearer')
      )
        return;
      last = String(answer.statusCode);
    } catch (error) {
      // Traefik accepts connections before it has read its routes and certificate, and drops
      // the TLS handshake until then.
      last = String(error);
    }
    if (Date.now() > deadline)
      throw new Error(
        `the edge did not route /mounts/ within ${String(timeoutMs)} ms (last: ${last}):\n${running.namespace.logs('edge').slice(-3000)}`,
      );
    await sleep(200);
  }
}

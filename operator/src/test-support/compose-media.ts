// The /media suite's environment for a rendered Compose project: its storage-init provisions the
// bucket identity on a real SeaweedFS, then its edge (nginx, or Traefik with the media gateway)
// runs as rendered in the emulated Compose network. Drive's backend is the media-auth STAND-IN
// (Drive cannot run here), bridged in as `backend:8000`; SeaweedFS is bridged in as
// `seaweedfs:8333` through a recorder, so the suite sees what reached S3.
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fetch as undiciFetch, request, type Dispatcher } from 'undici';
import {
  MEDIA_AUTH_PATH,
  startDriveMediaAuthStandIn,
  type StandInItem,
} from '../testbed/drive-media-auth-stand-in.js';
import { startMediaGateway } from '../testbed/media-gateway.js';
import { composeFixture, runComposeServices } from './compose-run.js';
import {
  BUCKET,
  DRIVE_HOST,
  putObject,
  itemKey,
  SESSION,
  startRecorder,
  startStore,
  type Chain,
  type S3Request,
} from './media-chains.js';
import type { MediaSuiteEnv } from './media-suite.js';

export const S3_PUBLIC_HOST = 's3.example.test';

function resources(edge: 'nginx' | 'traefik'): Record<string, string> {
  return {
    'drive.yaml': `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: DriveInstance
metadata: { name: drive }
spec:
  version: v0.21.1
  host: ${DRIVE_HOST}
  tls: { secretName: drive-tls }
  oidcClientRef: { name: drive-login }
  storageRef: { name: drive-media }
  database: { cloudNativePG: { instances: 1 } }
  backend: { replicas: 1 }
  frontend: { replicas: 1 }
`,
    'storage.yaml': `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: StorageMount
metadata: { name: drive-media }
spec:
  type: s3
  s3:
    provider: seaweedfs
    bucket: { name: ${BUCKET} }
    endpoints: { internal: 'http://seaweedfs:8333', public: 'https://${S3_PUBLIC_HOST}' }
    adminCredentials: { name: seaweedfs-admin }
`,
    'identity.yaml': `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: OidcClient
metadata: { name: drive-login }
spec:
  issuer: https://sso.example.test/realms/test
  credentials: { secretRef: { name: drive-oidc } }
`,
    'project.yaml': `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: ComposeProject
metadata: { name: media-test }
spec:
  edge: { type: ${edge} }
  identity:
    endpoints:
      authorization: https://sso.example.test/realms/test/protocol/openid-connect/auth
      token: https://sso.example.test/realms/test/protocol/openid-connect/token
      userinfo: https://sso.example.test/realms/test/protocol/openid-connect/userinfo
      jwks: https://sso.example.test/realms/test/protocol/openid-connect/certs
`,
  };
}

async function frontendStandIn(): Promise<Server> {
  const server = createServer((_request, response) => response.end('frontend'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const loopback = (server: { port: number } | AddressInfo) => ({
  host: '127.0.0.1',
  port: server.port,
});

export async function startComposeMedia(
  edge: 'nginx' | 'traefik',
  items: StandInItem[],
): Promise<MediaSuiteEnv & { nginxTest?: string }> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const store = await startStore('seaweedfs');
    stops.push(() => store.stop());
    const s3Requests: S3Request[] = [];
    const recorder = await startRecorder(store.endpoint, s3Requests);
    stops.push(() => recorder.stop());
    const s3 = {
      port: Number(new URL(recorder.url).port),
      target: loopback({ port: Number(new URL(recorder.url).port) }),
    };
    const fixture = await composeFixture(resources(edge), {
      certificate: true,
      env: {
        SEAWEEDFS_ADMIN__AWS_ACCESS_KEY_ID: store.accessKeyId,
        SEAWEEDFS_ADMIN__AWS_SECRET_ACCESS_KEY: store.secretAccessKey,
      },
    });
    stops.push(() => fixture.remove());
    const project = await fixture.load();

    // storage-init as rendered: the identity for the bucket, its keys left for Drive.
    // The volume outlives this namespace: Drive's stand-in reads the keys from it.
    const credentials = join(fixture.directory, 'volumes', 'storage-credentials');
    await mkdir(credentials, { recursive: true });
    const provisioning = await runComposeServices(project, {
      inside: ['storage-init'],
      outside: { seaweedfs: [{ port: 8333, target: s3.target }] },
      volumes: { 'storage-credentials': credentials },
    });
    try {
      await provisioning.runOnce('storage-init');
    } finally {
      await provisioning.stop();
    }
    const keyFile = (name: string) => readFile(join(credentials, 'drive-media', name), 'utf8');
    const drive = await startDriveMediaAuthStandIn({
      s3EndpointUrl: 'http://seaweedfs:8333',
      bucket: BUCKET,
      region: store.region,
      accessKeyId: (await keyFile('AWS_ACCESS_KEY_ID')).trim(),
      secretAccessKey: (await keyFile('AWS_SECRET_ACCESS_KEY')).trim(),
      allowedHosts: [DRIVE_HOST, 'backend'],
      items,
    });
    stops.push(() => drive.stop());
    const frontend = await frontendStandIn();
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          frontend.closeAllConnections();
          frontend.close(() => {
            resolve();
          });
        }),
    );

    // The media gateway runs outside, started as its tests start it: inside, it would bind
    // 0.0.0.0:8080 in the one network namespace the harness has, where frontend:8080 is bridged
    // too (in Compose each container has its own network stack).
    const gateway =
      edge === 'traefik'
        ? await startMediaGateway({
            driveMediaAuthUrl: `${drive.url}${MEDIA_AUTH_PATH}`,
            publicHost: DRIVE_HOST,
            s3UpstreamUrl: recorder.url,
          })
        : undefined;
    if (gateway) stops.push(() => gateway.stop());
    const inside = ['edge'];
    const running = await runComposeServices(project, {
      inside,
      outside: {
        ...(gateway ? { 'media-gateway': [{ port: 8080, target: loopback(gateway) }] } : {}),
        backend: [{ port: 8000, target: loopback(drive) }],
        frontend: [{ port: 8080, target: loopback(frontend.address() as AddressInfo) }],
        seaweedfs: [{ port: 8333, target: s3.target }],
      },
      expose: [{ service: 'edge', port: 443 }],
    });
    stops.push(() => running.stop());
    let nginxTest: string | undefined;
    if (edge === 'nginx') {
      const result = await running.namespace.exec({ argv: ['nginx', '-t'] });
      nginxTest = `${result.stdout}${result.stderr}`;
      if (result.code !== 0)
        throw new Error(`nginx -t refused the rendered configuration:\n${nginxTest}`);
    }
    for (const service of inside) await running.start(service);
    await running.namespace.waitTcp('edge', 443, 60_000);

    const dispatcher: Dispatcher = running.namespace.dispatcher('edge', 443, {
      rejectUnauthorized: false,
    });
    const chain: Chain = {
      name: `compose-${edge}`,
      request: async (path, options = {}) => {
        const answer = await request(`https://${DRIVE_HOST}${path}`, {
          method: options.method ?? 'GET',
          headers: { host: DRIVE_HOST, ...options.headers },
          dispatcher,
        });
        return { status: answer.statusCode, headers: answer.headers, body: answer.body };
      },
    };
    // Traefik reads its file provider a moment after it listens.
    const probe = itemKey('probe.txt');
    await putObject(store, probe, Buffer.from('probe'));
    drive.items.push({ key: probe, readers: [SESSION] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await chain.request(`/media/${probe}`, {
        headers: { cookie: `sessionid=${SESSION}` },
      });
      await answer.body.dump();
      if (answer.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(
          `the Compose ${edge} edge did not serve /media within 30 s (last: ${String(answer.status)}):\n${inside.map((service) => `--- ${service}\n${running.namespace.logs(service).slice(-3000)}`).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      chains: [chain],
      store,
      drive,
      s3Requests,
      upload: {
        endpoint: `https://${S3_PUBLIC_HOST}`,
        fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher }),
      },
      stop,
      ...(nginxTest === undefined ? {} : { nginxTest }),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

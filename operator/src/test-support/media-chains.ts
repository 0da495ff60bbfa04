// Drive's /media download path, built for real: an S3 store (Ceph RGW or SeaweedFS) holding the
// objects, the Drive media-auth STAND-IN (Drive cannot run here; see testbed/drive-media-auth-
// stand-in.ts), and the two edges our renderers configure:
// - Traefik, reading the IngressRoutes and Middlewares the DriveInstance renderer produces from a
//   real API server (CRD provider), with our media gateway as its ForwardAuth;
// - nginx, with the server block our nginx renderer produces (auth_request).
// Pods do not exist here: the Services the routes name are ExternalName Services for 127.0.0.1,
// and the ForwardAuth address and the gateway's port, a cluster DNS name and a Service port in the
// render, are replaced by the gateway's loopback address; with `tls: false` the IngressRoute loses
// its `tls` and uses the `web` entry point. Nothing else in the objects is changed.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Agent, request, type Dispatcher } from 'undici';
import { configureBucket } from '../ports/s3/bucket.js';
import { renderDrive, type KubeObject } from '../render/drive-objects.js';
import { nginxHttpBlock } from '../render/edge/nginx-site.js';
import { objectNames } from '../render/object-names.js';
import { toMultiDocumentYaml } from '../render/manifest-yaml.js';
import { startCephRgw } from '../testbed/ceph-rgw.js';
import { startControlPlane, type ControlPlane } from '../testbed/control-plane.js';
import {
  MEDIA_AUTH_PATH,
  startDriveMediaAuthStandIn,
  type DriveMediaAuthStandIn,
  type StandInItem,
} from '../testbed/drive-media-auth-stand-in.js';
import { startMediaGateway, type MediaGateway } from '../testbed/media-gateway.js';
import { startNginx, type Nginx } from '../testbed/nginx.js';
import { s3Client } from '../testbed/s3-client.js';
import { startSeaweedFs } from '../testbed/seaweedfs.js';
import { installThirdPartyCrds, kubectlWithInput } from '../testbed/third-party-crds.js';
import { startTraefik, type Traefik } from '../testbed/traefik.js';
import { selfSignedCertificate } from './certificates.js';
import { loopbackServices } from './loopback-services.js';
import { renderInputs } from './render-inputs.js';

export const DRIVE_HOST = 'drive.example.test';
export const DRIVE_ORIGIN = `https://${DRIVE_HOST}`;
export const SESSION = 'alice-session';
export const BUCKET = 'drive-media';
const NAMESPACE = 'apps';

export type StoreKind = 'rgw' | 'seaweedfs';

export interface Store {
  kind: StoreKind;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  client: S3Client;
  stop(): Promise<void>;
}

export async function startStore(kind: StoreKind): Promise<Store> {
  const server = kind === 'rgw' ? await startCephRgw() : await startSeaweedFs();
  const client = s3Client(server.endpoint, server.adminAccessKey, server.adminSecretKey);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // The operator's own bucket settings, CORS for the Drive origin included.
  await configureBucket(
    {
      endpoint: server.endpoint,
      region: server.region,
      bucket: BUCKET,
      credentials: { accessKeyId: server.adminAccessKey, secretAccessKey: server.adminSecretKey },
    },
    {
      versioning: 'Enabled',
      cors: { allowedOrigins: [DRIVE_ORIGIN], maxAgeSeconds: 3000 },
      lifecycle: { noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 1 },
    },
    { createBucket: false, versioning: true, cors: true, lifecycle: true },
  );
  return {
    kind,
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.adminAccessKey,
    secretAccessKey: server.adminSecretKey,
    client,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}

/** A Drive file key: item/<uuid>/<filename>. */
export function itemKey(filename: string): string {
  return `item/${randomUUID()}/${filename}`;
}

export async function putObject(store: Store, key: string, body: Buffer | Uint8Array) {
  await store.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** Deterministic bytes, generated as they are read: a large object without holding it. */
export function generatedStream(size: number): Readable {
  const block = randomBytes(1024 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const chunk = block.subarray(0, Math.min(block.length, size - sent));
      // Each block differs from the last, so a chunk served twice or out of order is caught.
      block[0] = (block[0]! + 1) % 256;
      sent += chunk.length;
      this.push(Buffer.from(chunk));
    },
  });
}

/**
 * Writes `size` generated bytes into `key` as a multipart upload (as Drive's storage does above
 * 8 MiB), one part in memory at a time; returns their sha256.
 */
export async function putLargeObject(store: Store, key: string, size: number): Promise<string> {
  const partSize = 32 * 1024 * 1024;
  const hash = createHash('sha256');
  const { UploadId } = await store.client.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }),
  );
  const parts: { ETag: string; PartNumber: number }[] = [];
  const source = generatedStream(size);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const body = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const PartNumber = parts.length + 1;
    const { ETag } = await store.client.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber, Body: body }),
    );
    parts.push({ ETag: ETag ?? '', PartNumber });
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    hash.update(chunk);
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= partSize) await flush();
  }
  if (pendingBytes > 0) await flush();
  await store.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  return hash.digest('hex');
}

/** sha256 and byte count of a response body, read as a stream. */
export async function digestBody(body: AsyncIterable<Uint8Array>) {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** One edge in front of the store, reached on loopback as a browser reaches the Drive host. */
export interface Chain {
  name: string;
  request(
    path: string,
    options?: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> },
  ): Promise<Answer>;
}

/** What reached S3, as S3 received it. */
export interface S3Request {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A transparent proxy in front of the store that records each request. The Host it receives is
 * passed on unchanged, so signatures made for the proxy's address still verify at the store.
 */
export async function startRecorder(target: string, seen: S3Request[]) {
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    seen.push({
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
    });
    const forwarded = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface MediaChains {
  store: Store;
  /** Requests that reached S3 through the edges (only with `record`). */
  s3Requests: S3Request[];
  drive: DriveMediaAuthStandIn;
  gateway: MediaGateway;
  traefik: Chain;
  nginx: Chain;
  stop(): Promise<void>;
}

/** The Traefik edge objects of a DriveInstance whose media goes to `store`. */
function traefikEdge(s3Endpoint: string, gateway: MediaGateway, tls: boolean): KubeObject[] {
  const inputs = renderInputs(
    {
      edge: {
        type: 'traefik',
        traefik: { entryPoints: [tls ? 'websecure' : 'web'] },
        mediaGateway: 'Enabled',
      },
    },
    { editors: [] },
  );
  const { objects } = renderDrive({
    ...inputs,
    instance: { ...inputs.instance, spec: { ...inputs.instance.spec, host: DRIVE_HOST } },
    storage: { ...inputs.storage, bucket: BUCKET, internalEndpoint: s3Endpoint },
  });
  const edge = objects.filter((object) => ['Middleware', 'IngressRoute'].includes(object.kind));
  const gatewayService = objectNames.mediaGateway(inputs.instance.name);
  for (const object of edge as (KubeObject & {
    spec: {
      forwardAuth?: { address: string };
      routes?: { services?: { name: string; port: number }[] }[];
    };
  })[]) {
    if (object.spec.forwardAuth) object.spec.forwardAuth.address = gateway.authUrl;
    if (!tls && object.kind === 'IngressRoute') delete (object.spec as { tls?: unknown }).tls;
    // The gateway listens on a free port here, not on its Service port.
    for (const route of object.spec.routes ?? [])
      for (const service of route.services ?? [])
        if (service.name === gatewayService) service.port = gateway.port;
  }
  return edge;
}

function chainClient(name: string, origin: string, dispatcher: Dispatcher | undefined): Chain {
  return {
    name,
    request: async (path, options = {}) => {
      const answer = await request(`${origin}${path}`, {
        method: options.method ?? 'GET',
        headers: { host: DRIVE_HOST, ...options.headers },
        ...(dispatcher ? { dispatcher } : {}),
      });
      return { status: answer.statusCode, headers: answer.headers, body: answer.body };
    },
  };
}

export async function startMediaChains(
  kind: StoreKind,
  items: StandInItem[],
  options: {
    record?: boolean;
    /**
     * TLS at both edges (the default, as in production). Off, both edges speak plain HTTP to the
     * client (Traefik's `web` entry point, the IngressRoute without its `tls`), so a benchmark
     * compares the chains' own work with direct S3, which speaks plain HTTP here.
     */
    tls?: boolean;
  } = {},
): Promise<MediaChains> {
  const tls = options.tls ?? true;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    const store = await startStore(kind);
    stops.push(() => store.stop());
    const s3Requests: S3Request[] = [];
    // Where Drive (AWS_S3_ENDPOINT_URL) and the edges reach S3.
    let s3Endpoint = store.endpoint;
    if (options.record) {
      const recorder = await startRecorder(store.endpoint, s3Requests);
      stops.push(() => recorder.stop());
      s3Endpoint = recorder.url;
    }
    const drive = await startDriveMediaAuthStandIn({
      s3EndpointUrl: s3Endpoint,
      bucket: BUCKET,
      region: store.region,
      accessKeyId: store.accessKeyId,
      secretAccessKey: store.secretAccessKey,
      allowedHosts: [DRIVE_HOST],
      items,
    });
    stops.push(() => drive.stop());
    const gateway = await startMediaGateway({
      driveMediaAuthUrl: `${drive.url}${MEDIA_AUTH_PATH}`,
      publicHost: DRIVE_HOST,
      s3UpstreamUrl: s3Endpoint,
    });
    stops.push(() => gateway.stop());

    const kube: ControlPlane = await startControlPlane({ controllerManager: false });
    stops.push(() => kube.stop());
    await installThirdPartyCrds(kube.kubeconfig);
    const edge = traefikEdge(s3Endpoint, gateway, tls);
    await kubectlWithInput(
      kube.kubeconfig,
      ['apply', '--server-side', '-f', '-'],
      toMultiDocumentYaml([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
        ...loopbackServices(
          edge.filter((object) => object.kind === 'IngressRoute'),
          NAMESPACE,
        ),
        ...edge,
      ]),
    );
    const traefik: Traefik = await startTraefik({
      kubernetes: {
        server: kube.server,
        token: kube.adminToken,
        caFile: kube.caFile,
        namespaces: [NAMESPACE],
      },
    });
    stops.push(() => traefik.stop());
    const secure = new Agent({ connect: { servername: DRIVE_HOST, rejectUnauthorized: false } });
    stops.push(() => secure.close());

    const s3 = new URL(s3Endpoint);
    // nginx terminates TLS as Traefik does, so both chains do the same work.
    const certificate = tls ? await selfSignedCertificate([DRIVE_HOST]) : undefined;
    if (certificate) stops.push(() => rm(certificate.directory, { recursive: true, force: true }));
    const nginx: Nginx = await startNginx((port) =>
      nginxHttpBlock([
        {
          host: DRIVE_HOST,
          listen: `127.0.0.1:${String(port)}`,
          ...(certificate
            ? { tls: { certificate: certificate.certificate, key: certificate.key } }
            : {}),
          backend: drive.url,
          frontend: drive.url,
          mediaAuthUrl: `${drive.url}${MEDIA_AUTH_PATH}`,
          s3: { url: s3Endpoint, signedHost: s3.host },
          bucket: BUCKET,
          maxBodySize: 5 * 2 ** 30,
        },
      ]),
    );
    stops.push(() => nginx.stop());

    const chains: MediaChains = {
      store,
      s3Requests,
      drive,
      gateway,
      traefik: tls
        ? chainClient('traefik', traefik.secureUrl, secure)
        : chainClient('traefik', traefik.url, undefined),
      nginx: chainClient(
        'nginx',
        `${tls ? 'https' : 'http'}://127.0.0.1:${String(nginx.port)}`,
        tls ? secure : undefined,
      ),
      stop,
    };
    // Traefik picks the routes up from the API server a moment after they exist.
    const probeKey = itemKey('probe.txt');
    await putObject(store, probeKey, Buffer.from('probe'));
    drive.items.push({ key: probeKey, readers: [SESSION] });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await chains.traefik.request(`/media/${probeKey}`, {
        headers: { cookie: `sessionid=${SESSION}` },
      });
      await answer.body.dump();
      if (answer.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(
          `Traefik did not serve /media within 30 s (last: ${String(answer.status)})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await writeFile(join(traefik.directory, 'routes.yaml'), toMultiDocumentYaml(edge));
    return chains;
  } catch (error) {
    await stop();
    throw error;
  }
}

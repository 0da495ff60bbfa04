// A STAND-IN for Drive's media-auth endpoint: Drive cannot run here, so this server answers the
// way drive-contract.md says Drive v0.21.1 does, rule by rule (each cites its section). It is not
// Drive: items and sessions are whatever the test declares.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export const MEDIA_AUTH_PATH = '/api/v1.0/items/media-auth/';

export interface StandInItem {
  /** `item/<uuid>/<filename>`, unencoded, as Drive stores file_key. */
  key: string;
  /** Sessions allowed to read it (drive-contract §5.2: ability media_auth). */
  readers: string[];
  /** §5.2: preview/ is refused unless the mimetype is previewable. */
  previewable?: boolean;
}

export interface DriveMediaAuthStandInOptions {
  /** AWS_S3_ENDPOINT_URL: its host[:port] is the Host the signature covers (§5.2). */
  s3EndpointUrl: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** DJANGO_ALLOWED_HOSTS. */
  allowedHosts: string[];
  items: StandInItem[];
}

export interface DriveMediaAuthStandIn {
  url: string;
  port: number;
  /**
   * §5.4: the `policy` Drive returns when a file item is created: a presigned PUT for
   * `publicEndpoint` (AWS_S3_DOMAIN_REPLACE, else AWS_S3_ENDPOINT_URL), path-style, 60 s, with
   * only `host` signed (AWS_S3_UPLOAD_ACL empty).
   */
  uploadPolicy(key: string, publicEndpoint?: string): Promise<string>;
  /** Every media-auth request, as received. */
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  items: StandInItem[];
  stop(): Promise<void>;
}

/** §5.2: `item/<uuid>/<filename>` ending the path, after /media/ and an optional preview/. */
const MEDIA_STORAGE_URL_PATTERN =
  /\/media\/(preview\/)?(item\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/.+)$/;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** botocore's key quoting (§5.2: `%20`, `%23`, `%C3%A9`): all but unreserved characters and /. */
export function quoteKey(key: string): string {
  return [...Buffer.from(key, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~/]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** The URL Drive's API hands out for an item (§5.2: MEDIA_BASE_URL + /media/ + quote(key)). */
export function mediaPath(key: string, preview = false): string {
  return `/media/${preview ? 'preview/' : ''}${quoteKey(key)}`;
}

function sessionOf(request: IncomingMessage): string | undefined {
  const cookie = request.headers.cookie ?? '';
  return /(?:^|;\s*)sessionid=([^;]+)/.exec(cookie)?.[1];
}

function deny(response: ServerResponse, status: number, detail: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ detail }));
}

export async function startDriveMediaAuthStandIn(
  options: DriveMediaAuthStandInOptions,
): Promise<DriveMediaAuthStandIn> {
  const endpoint = new URL(options.s3EndpointUrl);
  const signer = new SignatureV4({
    service: 's3',
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    // S3 canonical URIs are not encoded a second time.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const requests: DriveMediaAuthStandIn['requests'] = [];
  const items = [...options.items];

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    // Django answers DisallowedHost with 400 before any view runs.
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    if (!options.allowedHosts.includes(host)) {
      deny(response, 400, 'Bad Request');
      return;
    }
    // §E1 pitfall 3: Production settings redirect plain-http requests (SECURE_SSL_REDIRECT).
    if (request.headers['x-forwarded-proto'] !== 'https') {
      response.writeHead(301, {
        location: `https://${request.headers.host ?? ''}${request.url ?? ''}`,
      });
      return response.end();
    }
    // §5.2: the trailing slash is required; APPEND_SLASH answers 301 without it.
    if (url.pathname === MEDIA_AUTH_PATH.slice(0, -1)) {
      response.writeHead(301, { location: MEDIA_AUTH_PATH });
      return response.end();
    }
    if (url.pathname !== MEDIA_AUTH_PATH || !['GET', 'HEAD'].includes(request.method ?? '')) {
      deny(response, 404, 'Not found.');
      return;
    }
    requests.push({ url: request.url ?? '', headers: request.headers });
    // §5.2: read only X-Original-URL; missing → 403.
    const original = request.headers['x-original-url'];
    if (typeof original !== 'string' || original === '') {
      deny(response, 403, 'Authentication credentials were not provided.');
      return;
    }
    // §5.2: a full URL or a bare path, urlparsed; the percent-decoded path is searched, then the
    // decoded query string.
    const parsed = new URL(original, 'https://stand-in');
    let match: RegExpExecArray | null;
    try {
      match =
        MEDIA_STORAGE_URL_PATTERN.exec(decodeURIComponent(parsed.pathname)) ??
        MEDIA_STORAGE_URL_PATTERN.exec(decodeURIComponent(parsed.search.slice(1)));
    } catch {
      match = null;
    }
    if (!match) {
      deny(response, 403, 'You do not have permission to perform this action.');
      return;
    }
    const [, preview, key] = match;
    const item = items.find((candidate) => candidate.key === key);
    const session = sessionOf(request);
    // §5.2: an unknown item, a reader without the ability, or a preview of what cannot be
    // previewed: 403 (DRF PermissionDenied).
    if (!item || session === undefined || !item.readers.includes(session)) {
      deny(response, 403, 'You do not have permission to perform this action.');
      return;
    }
    if (preview && !item.previewable) {
      deny(response, 403, 'You do not have permission to perform this action.');
      return;
    }
    // §5.2: GET <AWS_S3_ENDPOINT_URL>/<bucket>/<quoted key>, signed headers exactly
    // host;x-amz-content-sha256;x-amz-date, Host = host[:port] of the endpoint.
    const prefix = endpoint.pathname.replace(/\/+$/, '');
    const signed = await signer.sign({
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: `${prefix}/${options.bucket}/${quoteKey(key ?? '')}`,
      query: {},
      headers: { host: endpoint.host, 'x-amz-content-sha256': EMPTY_SHA256 },
    });
    response.writeHead(200, {
      'content-type': 'application/json',
      Authorization: signed.headers.authorization ?? '',
      'X-Amz-Date': signed.headers['x-amz-date'] ?? '',
      'X-Amz-Content-SHA256': EMPTY_SHA256,
    });
    response.end(request.method === 'HEAD' ? undefined : '"authorized"');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const uploadPolicy = async (key: string, publicEndpoint = options.s3EndpointUrl) => {
    const target = new URL(publicEndpoint);
    const prefix = target.pathname.replace(/\/+$/, '');
    const presigned = await signer.presign(
      {
        method: 'PUT',
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: `${prefix}/${options.bucket}/${quoteKey(key)}`,
        query: {},
        // S3 presigned URLs leave the payload unsigned, as botocore's do; the header only tells
        // the signer so and is neither signed nor moved into the query.
        headers: { host: target.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        expiresIn: 60,
        unsignableHeaders: new Set(['x-amz-content-sha256']),
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    const query = Object.entries(presigned.query ?? {})
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
      .join('&');
    return `${target.origin}${presigned.path}?${query}`;
  };
  return {
    url: `http://127.0.0.1:${String(port)}`,
    port,
    uploadPolicy,
    requests,
    items,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

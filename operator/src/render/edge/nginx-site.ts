// An nginx server block for one Drive host: the edge of Compose mode and of hosts without an
// ingress controller. The same routes as route-plan.ts; /media goes through auth_request, which
// sends X-Original-URL by itself, so no gateway is needed (drive-contract §5.1).
import { MOUNTS_PATH } from '../drive-urls.js';
import { MEDIA_RESPONSE_HEADERS } from './route-plan.js';

export interface NginxSite {
  /** The public Drive host (server_name; Django builds URLs from it). */
  host: string;
  /** Where nginx listens: a port or address:port (`ssl` is added with `tls`). */
  listen: string;
  /** Certificate and key files; TLS ends here when given. */
  tls?: { certificate: string; key: string };
  /** Upstream base URLs, e.g. http://backend:8000. */
  backend: string;
  frontend: string;
  /** The SMB mounts service, for /mounts/, when the Drive has mounts. */
  mounts?: string;
  /** Drive's media-auth URL, e.g. http://backend:8000/api/v1.0/items/media-auth/. */
  mediaAuthUrl: string;
  /** S3 as Drive signs for it: AWS_S3_ENDPOINT_URL and its host[:port]. */
  s3: { url: string; signedHost: string };
  bucket: string;
  /** client_max_body_size, in bytes. */
  maxBodySize: number;
  /** A resolver for upstream names (Docker's 127.0.0.11); names resolve at start when absent. */
  resolver?: string;
}

const AUTH_LOCATION = '/internal/media-auth';
/** Client headers S3 may see on a download: ranges and conditions (an empty one is not sent). */
const S3_REQUEST_HEADERS = [
  'Range',
  'If-Range',
  'If-Match',
  'If-None-Match',
  'If-Modified-Since',
  'If-Unmodified-Since',
];

/** `proxy_set_header` lines shared by the app and auth locations. */
export const FORWARDED_HEADERS = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Real-IP $remote_addr;',
  'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  // TLS ends here; Django's SSL redirect and CSRF checks need to know.
  'proxy_set_header X-Forwarded-Proto https;',
];

export function quoted(value: string): string {
  if (/[\s;"'{}$\\]/.test(value)) throw new Error(`unsafe nginx value: ${JSON.stringify(value)}`);
  return value;
}

function mediaLocation(site: NginxSite, prefix: string, download: boolean): string[] {
  const s3 = new URL(site.s3.url);
  const base = `${s3.origin}${s3.pathname.replace(/\/+$/, '')}`;
  return [
    `location ${prefix} {`,
    // Drive signs an empty query string; a query would reach S3 unsigned (versionId, acl, …).
    '  if ($is_args) { return 403; }',
    `  auth_request ${AUTH_LOCATION};`,
    '  auth_request_set $media_authorization $upstream_http_authorization;',
    '  auth_request_set $media_amz_date $upstream_http_x_amz_date;',
    '  auth_request_set $media_amz_sha256 $upstream_http_x_amz_content_sha256;',
    // Drive signs a GET; a HEAD sent as HEAD would not match the signature. nginx sends GET and,
    // for a HEAD, closes the upstream connection after the headers.
    '  proxy_method GET;',
    // Only what S3 needs reaches it: the signature, the Host it covers, and the headers of range
    // and conditional requests. The client's cookies, its own Authorization or X-Amz-* stay here.
    '  proxy_pass_request_headers off;',
    '  proxy_set_header Authorization $media_authorization;',
    '  proxy_set_header X-Amz-Date $media_amz_date;',
    '  proxy_set_header X-Amz-Content-SHA256 $media_amz_sha256;',
    ...S3_REQUEST_HEADERS.map(
      (name) => `  proxy_set_header ${name} $http_${name.toLowerCase().replaceAll('-', '_')};`,
    ),
    `  proxy_set_header Host ${quoted(site.s3.signedHost)};`,
    // Stream large files through memory buffers, never spooled to disk; unbuffered proxying would
    // move them a page at a time.
    '  proxy_buffering on;',
    '  proxy_buffer_size 64k;',
    '  proxy_buffers 16 64k;',
    '  proxy_busy_buffers_size 128k;',
    '  proxy_max_temp_file_size 0;',
    '  proxy_request_buffering off;',
    '  proxy_http_version 1.1;',
    '  proxy_set_header Connection "";',
    // /media/<key> is /<bucket>/<key> in S3 (drive-contract §5.1).
    `  proxy_pass ${quoted(base)}/${quoted(site.bucket)}/;`,
    ...Object.entries(MEDIA_RESPONSE_HEADERS).map(
      ([name, value]) => `  add_header ${name} "${value}" always;`,
    ),
    ...(download ? ['  add_header Content-Disposition "attachment" always;'] : []),
    '}',
  ];
}

/** The listen, TLS and size lines of one server block. */
export function serverPreamble(
  site: Pick<NginxSite, 'host' | 'listen' | 'tls' | 'resolver' | 'maxBodySize'>,
): string[] {
  return [
    `listen ${quoted(site.listen)}${site.tls ? ' ssl' : ''};`,
    `server_name ${quoted(site.host)};`,
    ...(site.tls
      ? [
          `ssl_certificate ${quoted(site.tls.certificate)};`,
          `ssl_certificate_key ${quoted(site.tls.key)};`,
          'ssl_protocols TLSv1.2 TLSv1.3;',
        ]
      : []),
    ...(site.resolver ? [`resolver ${quoted(site.resolver)} valid=30s;`] : []),
    `client_max_body_size ${String(site.maxBodySize)};`,
  ];
}

/** Drive's locations: the app paths, /media through auth_request, the frontend. */
export function driveLocations(site: NginxSite, extra: readonly string[] = []): string[] {
  return [
    'location ~ ^/(api|admin|static|external_api)(/|$) {',
    ...FORWARDED_HEADERS.map((line) => `  ${line}`),
    `  proxy_pass ${quoted(site.backend)};`,
    '}',
    ...mediaLocation(site, '/media/preview/', false),
    ...mediaLocation(site, '/media/', true),
    `location = ${AUTH_LOCATION} {`,
    '  internal;',
    ...FORWARDED_HEADERS.map((line) => `  ${line}`),
    // What Drive reads (§5.2); the auth request carries no body.
    '  proxy_set_header X-Original-URL $request_uri;',
    '  proxy_set_header X-Original-Method $request_method;',
    '  proxy_pass_request_body off;',
    '  proxy_set_header Content-Length "";',
    `  proxy_pass ${quoted(site.mediaAuthUrl)};`,
    '}',
    ...(site.mounts === undefined
      ? []
      : [
          `location ^~ ${MOUNTS_PATH} {`,
          ...FORWARDED_HEADERS.map((line) => `  ${line}`),
          '  proxy_http_version 1.1;',
          '  proxy_set_header Connection "";',
          // Upload chunks stream to the share; nothing is spooled to disk here.
          '  proxy_request_buffering off;',
          '  proxy_buffering off;',
          `  proxy_pass ${quoted(site.mounts)};`,
          '}',
        ]),
    ...extra,
    'location / {',
    ...FORWARDED_HEADERS.map((line) => `  ${line}`),
    '  proxy_http_version 1.1;',
    '  proxy_set_header Upgrade $http_upgrade;',
    '  proxy_set_header Connection $connection_upgrade;',
    `  proxy_pass ${quoted(site.frontend)};`,
    '}',
  ];
}

function serverBlock(site: NginxSite): string[] {
  return [
    'server {',
    ...serverPreamble(site).map((line) => `  ${line}`),
    '',
    ...driveLocations(site).map((line) => `  ${line}`),
    '}',
  ];
}

/** Lets websocket upgrades through and keeps other requests on plain keep-alive connections. */
export const CONNECTION_UPGRADE_MAP = [
  'map $http_upgrade $connection_upgrade {',
  '  default upgrade;',
  "  '' '';",
  '}',
];

/** The contents of nginx's http block for these sites. */
export function nginxHttpBlock(sites: readonly NginxSite[]): string {
  return `${[...CONNECTION_UPGRADE_MAP, ...sites.flatMap(serverBlock)].join('\n')}\n`;
}

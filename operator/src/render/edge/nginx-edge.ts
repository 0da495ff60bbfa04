// A whole nginx edge on a Docker host (the Compose nginx edge): plain HTTP only redirects, unknown
// hosts are refused, the Drive host gets Drive's locations (and a Collabora's paths when it is
// served there), and hosts of the project's own services (the S3 public endpoint, the IdP, an
// editor with a host of its own) are proxied with their Host kept.
import { EDITOR_BLOCKED_PATHS, EDITOR_PATHS } from './route-plan.js';
import {
  CONNECTION_UPGRADE_MAP,
  driveLocations,
  FORWARDED_HEADERS,
  quoted,
  serverPreamble,
  type NginxSite,
} from './nginx-site.js';

export interface NginxProxiedHost {
  host: string;
  /** e.g. http://seaweedfs:8333 */
  upstream: string;
  maxBodySize: number;
  /**
   * s3: the Host is all the upstream sees, since presigned URLs are signed for it (a forwarded
   * host or port could change what the store verifies). app: an application behind TLS, told so.
   */
  kind: 's3' | 'app';
}

export interface NginxEdge {
  /** Container ports: HTTP (redirects and /healthz) and HTTPS. */
  listen: { http: number; https: number };
  /** The HTTPS port clients use, for redirects when it is not 443. */
  publicHttpsPort: number;
  tls: { certificate: string; key: string };
  drive: Omit<NginxSite, 'listen' | 'tls'>;
  /** A Collabora's paths, on the Drive host or on a host of its own. */
  editors: { host: string; upstream: string }[];
  proxied: NginxProxiedHost[];
}

/** The path the Compose healthcheck asks on the plain HTTP port. */
export const NGINX_HEALTH_PATH = '/healthz';

function editorLocations(upstream: string): string[] {
  return [
    ...EDITOR_BLOCKED_PATHS.map((path) => `location ^~ ${path} { return 403; }`),
    ...EDITOR_PATHS.flatMap((path) => [
      `location ^~ ${path} {`,
      ...FORWARDED_HEADERS.map((line) => `  ${line}`),
      '  proxy_http_version 1.1;',
      '  proxy_set_header Upgrade $http_upgrade;',
      '  proxy_set_header Connection $connection_upgrade;',
      // An editing session is one websocket that lives as long as the document is open.
      '  proxy_read_timeout 36000s;',
      '  proxy_send_timeout 36000s;',
      `  proxy_pass ${quoted(upstream)};`,
      '}',
    ]),
  ];
}

function proxiedLocations(proxied: NginxProxiedHost): string[] {
  const headers =
    proxied.kind === 's3'
      ? ['proxy_set_header Host $host;']
      : [
          ...FORWARDED_HEADERS,
          'proxy_set_header X-Forwarded-Host $host;',
          'proxy_set_header X-Forwarded-Port $server_port;',
        ];
  return [
    'location / {',
    ...headers.map((line) => `  ${line}`),
    '  proxy_http_version 1.1;',
    '  proxy_set_header Connection "";',
    // Presigned uploads of whole files stream through; nothing is spooled to disk.
    '  proxy_request_buffering off;',
    '  proxy_buffering off;',
    `  proxy_pass ${quoted(proxied.upstream)};`,
    '}',
  ];
}

function server(edge: NginxEdge, host: string, maxBodySize: number, locations: string[]): string[] {
  return [
    'server {',
    ...serverPreamble({
      host,
      listen: String(edge.listen.https),
      tls: edge.tls,
      maxBodySize,
    }).map((line) => `  ${line}`),
    '',
    ...locations.map((line) => `  ${line}`),
    '}',
  ];
}

/** The servers of the edge, for a file in the http context. */
export function nginxEdgeConfig(edge: NginxEdge): string {
  const https = edge.publicHttpsPort === 443 ? '' : `:${String(edge.publicHttpsPort)}`;
  const onDriveHost = edge.editors.filter((editor) => editor.host === edge.drive.host);
  const otherEditors = edge.editors.filter((editor) => editor.host !== edge.drive.host);
  const site: NginxSite = { ...edge.drive, listen: String(edge.listen.https), tls: edge.tls };
  return `${[
    ...CONNECTION_UPGRADE_MAP,
    'server {',
    `  listen ${String(edge.listen.http)} default_server;`,
    '  server_name _;',
    `  location = ${NGINX_HEALTH_PATH} {`,
    '    access_log off;',
    '    return 200 "ok\\n";',
    '  }',
    '  location / {',
    `    return 308 https://$host${https}$request_uri;`,
    '  }',
    '}',
    // A name the edge does not serve gets no answer rather than another host's site.
    'server {',
    `  listen ${String(edge.listen.https)} ssl default_server;`,
    '  server_name _;',
    `  ssl_certificate ${quoted(edge.tls.certificate)};`,
    `  ssl_certificate_key ${quoted(edge.tls.key)};`,
    '  return 421;',
    '}',
    ...server(
      edge,
      edge.drive.host,
      edge.drive.maxBodySize,
      driveLocations(
        site,
        onDriveHost.flatMap((editor) => editorLocations(editor.upstream)),
      ),
    ),
    ...otherEditors.flatMap((editor) =>
      server(edge, editor.host, edge.drive.maxBodySize, [
        ...editorLocations(editor.upstream),
        'location / { return 404; }',
      ]),
    ),
    ...edge.proxied.flatMap((proxied) =>
      server(edge, proxied.host, proxied.maxBodySize, proxiedLocations(proxied)),
    ),
  ].join('\n')}\n`;
}

/**
 * nginx.conf for the edge container. Everything it writes goes to /var/cache/nginx and /var/run,
 * which the container mounts as tmpfs, so its root filesystem stays read-only.
 */
export function nginxMainConfig(include: string): string {
  return `${[
    'worker_processes auto;',
    // The keyword writes to the inherited descriptor; nothing to open.
    'error_log stderr warn;',
    'pid /var/run/nginx.pid;',
    '',
    'events {',
    '  worker_connections 4096;',
    '}',
    '',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    '  access_log /dev/stdout;',
    '  server_tokens off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  keepalive_timeout 65s;',
    '  client_body_temp_path /var/cache/nginx/client_temp;',
    '  proxy_temp_path /var/cache/nginx/proxy_temp;',
    '  fastcgi_temp_path /var/cache/nginx/fastcgi_temp;',
    '  uwsgi_temp_path /var/cache/nginx/uwsgi_temp;',
    '  scgi_temp_path /var/cache/nginx/scgi_temp;',
    '  ssl_session_cache shared:SSL:10m;',
    `  include ${quoted(include)};`,
    '}',
  ].join('\n')}\n`;
}

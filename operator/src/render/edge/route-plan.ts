// What every edge variant routes, decided once so Traefik, ingress-nginx and Gateway API stay
// equivalent: the app paths to the backend, /media through the auth step to S3, the rest to the
// frontend, and Collabora's paths to a managed Collabora.
import type { DriveInstanceSpec } from '../../api/drive-instance.js';
import type { ResolvedEditorRoute } from '../drive-inputs.js';
import type { OwnerInstance } from '../labels.js';
import type { MediaAuthMode } from '../media-auth.js';
import { BACKEND_SERVICE_PORT, FRONTEND_SERVICE_PORT, objectNames } from '../object-names.js';
import { SMB_MOUNT_PORT } from '../smb-mounts.js';
import type { S3Upstream } from './s3-upstream.js';

/** Paths Django serves; the edge marks them https for Django's SSL redirect and CSRF checks. */
export const APP_PATHS = ['/api', '/admin', '/static', '/external_api'] as const;
/**
 * Paths browsers load a managed Collabora from (the websocket is under /cool/).
 * /hosting/wopiAccessCheck stays internal: it makes coolwsd call a URL of the caller's choosing.
 */
export const EDITOR_PATHS = [
  '/browser/',
  '/cool/',
  '/hosting/capabilities',
  '/hosting/discovery',
] as const;
/**
 * Collabora's admin console and metrics, refused at the edge: the whole admin directory, not only
 * admin.html. These pages are static and coolwsd may serve them under other /browser/<version>/
 * segments too; what protects the console is admin_console.enable=false and its blocked websocket.
 */
export const EDITOR_BLOCKED_PATHS = [
  '/browser/dist/admin/',
  '/cool/adminws',
  '/cool/getMetrics',
] as const;
/**
 * WOPISrc affinity where the edge cannot hash on a query parameter (Traefik, and the Gateway API
 * through Traefik): a cookie. It pins one browser to one coolwsd, not one document: two people
 * editing the same document can land on different pods, each opening its own copy; and browsers
 * blocking third-party cookies (Safari by default) never send it back when the editor has a host
 * of its own. SameSite=None because the editor is a cross-site iframe in Drive's page then.
 */
export const EDITOR_AFFINITY_COOKIE = {
  cookie: {
    name: 'collabora_affinity',
    secure: true,
    httpOnly: true,
    sameSite: 'none',
    path: '/',
  },
} as const;
/** drive-contract §5.2: the three headers media-auth answers with, replayed to S3. */
export const MEDIA_AUTH_RESPONSE_HEADERS = [
  'Authorization',
  'X-Amz-Date',
  'X-Amz-Content-SHA256',
] as const;

export interface EditorRoute {
  name: string;
  host: string;
  service: string;
  port: number;
  /** coolwsd pods: above one, every request of a document must reach the same pod. */
  replicas: number;
}

export interface RoutePlan {
  owner: OwnerInstance;
  spec: DriveInstanceSpec;
  host: string;
  tlsSecret: string;
  backend: { service: string; port: number };
  frontend: { service: string; port: number };
  media: {
    bucket: string;
    upstream: S3Upstream;
    mode: MediaAuthMode;
    authUrl: string;
    /**
     * The media gateway's HEAD bridge, where the edge cannot send a HEAD to S3 as a GET itself
     * (Drive signs GET). Absent: a HEAD reaches S3 as a HEAD and fails its signature check.
     */
    headBridge?: { service: string; port: number; prefix: string };
  };
  editors: EditorRoute[];
  /** The SMB mounts service, served under /mounts/ on the Drive host. */
  mounts?: { service: string; port: number };
}

export function routePlan(
  owner: OwnerInstance,
  spec: DriveInstanceSpec,
  tlsSecret: string,
  media: RoutePlan['media'],
  editors: readonly ResolvedEditorRoute[],
): RoutePlan {
  return {
    ...(spec.mounts.length > 0
      ? { mounts: { service: objectNames.mounts(owner.name), port: SMB_MOUNT_PORT } }
      : {}),
    owner,
    spec,
    host: spec.host,
    tlsSecret,
    backend: { service: objectNames.backend(owner.name), port: BACKEND_SERVICE_PORT },
    frontend: { service: objectNames.frontend(owner.name), port: FRONTEND_SERVICE_PORT },
    media,
    editors: editors.flatMap((editor) =>
      editor.managed
        ? [
            {
              name: editor.clientName.replaceAll('_', '-'),
              host: editor.managed.host ?? spec.host,
              service: editor.managed.service,
              port: editor.managed.port,
              replicas: editor.managed.replicas,
            },
          ]
        : [],
    ),
  };
}

/**
 * Client request headers an edge must not pass to S3 on /media: the session cookie, and the
 * x-amz-* request headers that change what a GET does (the signature covers only host,
 * x-amz-content-sha256 and x-amz-date, which the auth answer replaces).
 */
export const HEADERS_DROPPED_BEFORE_S3 = [
  'Cookie',
  'X-Amz-Security-Token',
  'X-Amz-Request-Payer',
  'X-Amz-Expected-Bucket-Owner',
  'X-Amz-Checksum-Mode',
  'X-Amz-Server-Side-Encryption-Customer-Algorithm',
  'X-Amz-Server-Side-Encryption-Customer-Key',
  'X-Amz-Server-Side-Encryption-Customer-Key-MD5',
] as const;

/** Security headers on /media responses (upstream's own proxies set the same). */
export const MEDIA_RESPONSE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'",
  'X-Robots-Tag': 'noindex',
} as const;

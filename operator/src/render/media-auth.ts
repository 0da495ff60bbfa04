// How /media requests are authorised, from the edge type and the pinned Drive release.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { supportsForwardedUriMediaAuth } from '../contract/drive-release.js';

/**
 * NginxAuthRequest: nginx's auth_request sends X-Original-URL, which every Drive reads.
 * Gateway: Traefik's ForwardAuth goes through the media gateway, which turns X-Forwarded-Uri
 *   into X-Original-URL (Drive up to v0.21.1 reads nothing else).
 * Direct: ForwardAuth calls Drive itself, told to read X-Forwarded-Uri.
 */
export type MediaAuthMode = 'NginxAuthRequest' | 'Gateway' | 'Direct';

export function mediaAuthMode(spec: DriveInstanceSpec): MediaAuthMode {
  if (spec.edge.type === 'nginx') return 'NginxAuthRequest';
  switch (spec.edge.mediaGateway) {
    case 'Enabled':
      return 'Gateway';
    case 'Disabled':
      return 'Direct';
    case 'Auto':
      return supportsForwardedUriMediaAuth(spec.version) ? 'Direct' : 'Gateway';
  }
}

/** The Django META key Drive must read the original URL from, when it is not X-Original-URL. */
export function mediaAuthOriginalUrlHeader(mode: MediaAuthMode): string | undefined {
  return mode === 'Direct' ? 'HTTP_X_FORWARDED_URI' : undefined;
}

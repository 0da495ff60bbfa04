// The URLs a Drive host answers on that other systems must know: the IdP registers the login and
// logout callbacks of Drive and of its mounts (services/smb-mount, under /mounts/).
import type { DriveInstanceSpec } from '../api/drive-instance.js';

/** Where every SMB mount of a Drive is served, one path segment per mount. */
export const MOUNTS_PATH = '/mounts/';
/** The mounts' own OIDC callback (authorization code + PKCE for their web UI). */
export const MOUNTS_CALLBACK_PATH = `${MOUNTS_PATH}auth/callback`;

type DriveUrlsSpec = Pick<DriveInstanceSpec, 'host' | 'mounts'>;

/** drive-contract §3.3: Drive's callback, and the mounts' when the Drive has mounts. */
export function loginRedirectUris(spec: DriveUrlsSpec): string[] {
  return [
    `https://${spec.host}/api/v1.0/callback/`,
    ...(spec.mounts.length > 0 ? [`https://${spec.host}${MOUNTS_CALLBACK_PATH}`] : []),
  ];
}

export function logoutRedirectUris(spec: DriveUrlsSpec): string[] {
  return [
    `https://${spec.host}/api/v1.0/logout-callback/`,
    ...(spec.mounts.length > 0 ? [`https://${spec.host}${MOUNTS_PATH}`] : []),
  ];
}

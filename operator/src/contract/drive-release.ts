// The Drive releases this operator knows, and what they can do. Drive is deployed from its
// published images only, always pinned.

export const DRIVE_BACKEND_IMAGE = 'lasuite/drive-backend';
export const DRIVE_FRONTEND_IMAGE = 'lasuite/drive-frontend';

/** The release the examples and the Compose dev target pin. */
export const DEFAULT_DRIVE_VERSION = 'v0.21.1';

/** Drive release tags as published on Docker Hub (`v<semver>`, optionally with a suffix). */
export const DRIVE_VERSION_PATTERN = /^v(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/;

/**
 * First Drive release whose media-auth endpoint can read X-Forwarded-Uri
 * (`MEDIA_AUTH_ORIGINAL_URL_HEADER`, upstream PR #794). No release has it yet (v0.21.1 is the
 * latest read); set this when one ships.
 */
export const MEDIA_AUTH_ORIGINAL_URL_HEADER_SINCE: string | undefined = undefined;

/** The Drive release read for the env contract in drive-contract.md. */
export const CONTRACT_DRIVE_VERSION = 'v0.21.1';

interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: boolean;
}

export function parseDriveVersion(version: string): ParsedVersion | undefined {
  const match = DRIVE_VERSION_PATTERN.exec(version);
  if (!match) return undefined;
  const [, major, minor, patch, suffix] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: suffix !== undefined,
  };
}

/** -1, 0 or 1; a suffixed tag (v0.21.1-preprod) sorts before its release. */
export function compareDriveVersions(a: string, b: string): number {
  const left = parseDriveVersion(a);
  const right = parseDriveVersion(b);
  if (!left || !right) throw new Error(`not a Drive release tag: ${left ? b : a}`);
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (left[key] !== right[key]) return left[key] < right[key] ? -1 : 1;
  }
  if (left.prerelease !== right.prerelease) return left.prerelease ? -1 : 1;
  return 0;
}

/** Whether Drive's media-auth can be called by Traefik ForwardAuth without the gateway. */
export function supportsForwardedUriMediaAuth(version: string): boolean {
  if (MEDIA_AUTH_ORIGINAL_URL_HEADER_SINCE === undefined) return false;
  return compareDriveVersions(version, MEDIA_AUTH_ORIGINAL_URL_HEADER_SINCE) >= 0;
}

// The restricted Pod Security Standard, with the uid/gid Drive's images are built for
// (DOCKER_USER=1001:127), a read-only root filesystem and a writable /tmp.

export const DRIVE_UID = 1001;
export const DRIVE_GID = 127;

export function podSecurityContext(uid = DRIVE_UID, gid = DRIVE_GID) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export const containerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
} as const;

export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } } as const;
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' } as const;

/** Pod fields every Drive pod shares. */
export function podBasics() {
  return {
    securityContext: podSecurityContext(),
    // Service links would inject *_PORT variables that could shadow Drive's settings.
    enableServiceLinks: false,
    automountServiceAccountToken: false,
  };
}

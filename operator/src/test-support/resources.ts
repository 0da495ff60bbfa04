// Minimal valid resources of each kind, for tests that change one field at a time.
import { GROUP_VERSION } from '../api/kind.js';

export type Mutable = Record<string, unknown>;

export function driveInstanceResource(spec: Mutable = {}): Mutable {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'DriveInstance',
    metadata: { name: 'drive', namespace: 'apps' },
    spec: {
      version: 'v0.21.1',
      host: 'drive.example.com',
      tls: { secretName: 'drive-tls' },
      oidcClientRef: { name: 'login' },
      storageRef: { name: 'media' },
      database: { cloudNativePG: {} },
      ...spec,
    },
  };
}

export function s3MountResource(s3: Mutable = {}): Mutable {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'StorageMount',
    metadata: { name: 'media', namespace: 'apps' },
    spec: {
      type: 's3',
      s3: {
        provider: 'external',
        bucket: { name: 'drive-media' },
        // A cluster DNS name: tests that run the StorageMount controller, which calls it, override
        // it with a loopback address (or pause the mount) so nothing leaves the machine.
        endpoints: { internal: 'http://s3.storage.svc:8333', public: 'https://s3.example.com' },
        credentials: { name: 'media-credentials' },
        ...s3,
      },
    },
  };
}

export function smbMountResource(smb: Mutable = {}): Mutable {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'StorageMount',
    metadata: { name: 'share', namespace: 'apps' },
    spec: {
      type: 'smb',
      smb: {
        host: 'files.example.com',
        share: 'teams',
        credentialsSecretRef: { name: 'share-smb' },
        roles: [{ subject: { group: 'staff' }, role: 'editor' }],
        ...smb,
      },
    },
  };
}

export function oidcClientResource(spec: Mutable = {}): Mutable {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'OidcClient',
    metadata: { name: 'login', namespace: 'apps' },
    spec: {
      // Discovered by the OidcClient controller: a closed loopback port, never a real host.
      issuer: 'http://127.0.0.1:9/realms/example',
      credentials: { secretRef: { name: 'login-client' } },
      ...spec,
    },
  };
}

export function wopiClientResource(spec: Mutable = {}): Mutable {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'WopiClient',
    metadata: { name: 'collabora', namespace: 'apps' },
    spec: {
      type: 'collabora',
      external: { discoveryUrl: 'https://office.example.com/hosting/discovery' },
      ...spec,
    },
  };
}

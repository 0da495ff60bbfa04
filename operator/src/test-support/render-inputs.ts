// Complete render inputs for one DriveInstance, as the operator would resolve them.
import { driveInstanceSpec } from '../api/drive-instance.js';
import type { DriveRenderInputs } from '../render/drive-inputs.js';
import { COLLABORA_PORT } from '../render/object-names.js';
import { driveInstanceResource, type Mutable } from './resources.js';

/** Deterministic "random" values, so renders can be compared byte for byte. */
export function counterRandom(): (length: number) => string {
  let counter = 0;
  return (length) => {
    counter += 1;
    return `generated${String(counter)}`.padEnd(length, 'x');
  };
}

export function renderInputs(
  spec: Mutable = {},
  overrides: Partial<DriveRenderInputs> = {},
): DriveRenderInputs {
  const parsed = driveInstanceSpec.parse({
    ...(driveInstanceResource().spec as Mutable),
    tls: { issuerRef: { name: 'letsencrypt' } },
    wopiClientRefs: [{ name: 'collabora' }],
    ...spec,
  });
  return {
    instance: {
      name: 'drive',
      namespace: 'apps',
      uid: '6f1c2a9e-0000-4000-8000-000000000001',
      spec: parsed,
      annotations: {},
    },
    storage: {
      bucket: 'drive-media',
      region: 'us-east-1',
      internalEndpoint: 'http://rook-ceph-rgw-store.rook-ceph.svc:8080',
      publicEndpoint: 'https://s3.example.com',
      accessKeyId: { name: 'media', key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: 'media', key: 'AWS_SECRET_ACCESS_KEY' },
    },
    identity: {
      issuer: 'https://sso.example.com/realms/example',
      endpoints: {
        authorization: 'https://sso.example.com/realms/example/protocol/openid-connect/auth',
        token: 'https://sso.example.com/realms/example/protocol/openid-connect/token',
        userinfo: 'https://sso.example.com/realms/example/protocol/openid-connect/userinfo',
        jwks: 'https://sso.example.com/realms/example/protocol/openid-connect/certs',
        endSession: 'https://sso.example.com/realms/example/protocol/openid-connect/logout',
        introspection:
          'https://sso.example.com/realms/example/protocol/openid-connect/token/introspect',
      },
      clientId: { secretKeyRef: { name: 'login-client', key: 'client_id' } },
      clientSecret: { name: 'login-client', key: 'client_secret' },
      scopes: ['openid', 'email', 'profile'],
      storeClaims: [],
      userInfo: { fullNameFields: ['given_name', 'family_name'], shortNameField: 'given_name' },
    },
    editors: [
      {
        clientName: 'collabora',
        discoveryUrl: `http://collabora-collabora.apps.svc.cluster.local:${String(COLLABORA_PORT)}/hosting/discovery`,
        options: { SupportsRename: false },
        managed: {
          resource: 'collabora',
          service: 'collabora-collabora',
          port: COLLABORA_PORT,
          replicas: 2,
          host: 'office.example.com',
        },
      },
    ],
    existingSecrets: {},
    referencedSecrets: {
      media: { keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], resourceVersion: '101' },
      'login-client': { keys: ['client_id', 'client_secret'], resourceVersion: '102' },
      'drive-db-app': {
        keys: ['host', 'port', 'dbname', 'username', 'password'],
        resourceVersion: '103',
      },
    },
    mediaGatewayImage: 'ghcr.io/lasuite-selfhost/media-gateway:0.1.0',
    randomValue: counterRandom(),
    ...overrides,
  };
}

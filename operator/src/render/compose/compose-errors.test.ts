// Bad input for a Compose project: each error names the resource, the field, what is wrong and
// how to fix it, before anything is written.
import { describe, expect, it } from 'vitest';
import {
  composeExample,
  givenResources,
  withSpec,
} from '../../test-support/compose-render.js';
import { ComposeError, composeResources, type GivenResource } from './compose-resources.js';
import { renderCompose } from './render-compose.js';

type Change = (resources: GivenResource[]) => GivenResource[];

async function renderError(example: string, change: Change): Promise<ComposeError> {
  const resources = change(await givenResources([composeExample(example)]));
  try {
    renderCompose(composeResources(resources));
  } catch (error) {
    if (error instanceof ComposeError) return error;
    throw error;
  }
  throw new Error('rendered without an error');
}

const s3 = (change: (s3: Record<string, unknown>) => Record<string, unknown>): Change => (
  resources,
) =>
  withSpec(resources, 'StorageMount', (spec) => ({
    ...spec,
    s3: change(spec.s3 as Record<string, unknown>),
  }));

describe('Compose input errors', () => {
  it.each([
    [
      'a Rook bucket',
      'dev',
      s3((spec) => ({ ...spec, provider: 'rook', rook: { storageClassName: 'x' } })),
      { kind: 'StorageMount', resource: 'drive-media', path: ['spec', 's3', 'provider'] },
      /provider rook needs the operator in a Kubernetes cluster/,
      /use provider seaweedfs .* or external/,
    ],
    [
      'an RGW bucket',
      'dev',
      s3((spec) => ({ ...spec, provider: 'rgw' })),
      { kind: 'StorageMount', resource: 'drive-media', path: ['spec', 's3', 'provider'] },
      /provider rgw needs the operator/,
      /seaweedfs/,
    ],
    [
      'SeaweedFS at an address Drive cannot reach it by',
      'dev',
      s3((spec) => ({
        ...spec,
        endpoints: { ...(spec.endpoints as object), internal: 'http://storage.local:8333' },
      })),
      {
        kind: 'StorageMount',
        resource: 'drive-media',
        path: ['spec', 's3', 'endpoints', 'internal'],
      },
      /SeaweedFS runs in the project as service seaweedfs/,
      /set it to http:\/\/seaweedfs:8333/,
    ],
    [
      'a public S3 endpoint the edge cannot serve',
      'dev',
      s3((spec) => ({
        ...spec,
        endpoints: { ...(spec.endpoints as object), public: 'http://s3.dev.lan' },
      })),
      { kind: 'StorageMount', resource: 'drive-media', path: ['spec', 's3', 'endpoints', 'public'] },
      /served by the project's edge, which listens for HTTPS on port 443/,
      /use https:\/\/s3\.dev\.lan/,
    ],
    [
      'dynamic registration',
      'single-host',
      (resources: GivenResource[]) =>
        withSpec(resources, 'OidcClient', (spec) => ({
          ...spec,
          credentials: {
            dynamicRegistration: { initialAccessTokenSecretRef: { name: 'x', key: 'token' } },
          },
        })),
      {
        kind: 'OidcClient',
        resource: 'drive-login',
        path: ['spec', 'credentials', 'dynamicRegistration'],
      },
      /a Compose project cannot register a client/,
      /use credentials.secretRef/,
    ],
    [
      'the Keycloak admin API without a project Keycloak',
      'dev',
      (resources: GivenResource[]) =>
        withSpec(resources, 'ComposeProject', (spec) => {
          const { keycloak: _keycloak, ...rest } = spec;
          return rest;
        }),
      { kind: 'OidcClient', resource: 'drive-login', path: ['spec', 'credentials', 'keycloak'] },
      /only the operator does/,
      /set spec.keycloak in the ComposeProject/,
    ],
    [
      'an issuer that is not the Keycloak realm',
      'dev',
      (resources: GivenResource[]) =>
        withSpec(resources, 'OidcClient', (spec) => ({
          ...spec,
          issuer: 'https://auth.dev.lan/realms/other',
        })),
      { kind: 'OidcClient', resource: 'drive-login', path: ['spec', 'issuer'] },
      /https:\/\/auth\.dev\.lan\/realms\/drive here/,
      /set spec.issuer to https:\/\/auth\.dev\.lan\/realms\/drive/,
    ],
    [
      'two Collabora replicas',
      'dev',
      (resources: GivenResource[]) =>
        withSpec(resources, 'WopiClient', (spec) => ({
          ...spec,
          managed: { ...(spec.managed as object), replicas: 2 },
        })),
      { kind: 'WopiClient', resource: 'collabora', path: ['spec', 'managed', 'replicas'] },
      /one Collabora container/,
      /set replicas: 1/,
    ],
    [
      'one host for Drive and S3',
      'dev',
      s3((spec) => ({
        ...spec,
        endpoints: { ...(spec.endpoints as object), public: 'https://drive.dev.lan' },
      })),
      { kind: 'DriveInstance', resource: 'drive', path: ['spec', 'host'] },
      /drive\.dev\.lan is used for two services/,
      /give each its own host name/,
    ],
    [
      'an external IdP whose endpoints are unknown (offline)',
      'single-host',
      (resources: GivenResource[]) =>
        withSpec(resources, 'ComposeProject', (spec) => ({ ...spec, identity: {} })),
      { kind: 'OidcClient', resource: 'drive-login', path: ['spec', 'issuer'] },
      /the endpoints of https:\/\/sso\.example\.com\/realms\/example are unknown/,
      /set spec.identity.endpoints in the ComposeProject/,
    ],
    [
      'a reference to a resource not given',
      'dev',
      (resources: GivenResource[]) => resources.filter((entry) => entry.kind !== 'WopiClient'),
      { kind: 'DriveInstance', resource: 'drive', path: ['spec', 'wopiClientRefs', 0, 'name'] },
      /WopiClient collabora is not among the given files/,
      /add the WopiClient/,
    ],
    [
      'two DriveInstances',
      'dev',
      (resources: GivenResource[]) => [
        ...resources,
        { ...resources.find((entry) => entry.kind === 'DriveInstance')!, name: 'other' },
      ],
      { kind: 'DriveInstance', resource: 'other', path: ['metadata', 'name'] },
      /a Compose project holds one Drive/,
      /render each one with its own files/,
    ],
  ] as const)('refuses %s', async (_what, example, change, where, message, hint) => {
    const error = await renderError(example, change);
    expect({ kind: error.kind, resource: error.resource, path: error.path }).toEqual(where);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
  });
});

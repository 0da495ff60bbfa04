import { describe, expect, it } from 'vitest';
import { driveInstanceSpec } from '../api/drive-instance.js';
import { oidcClientSpec } from '../api/oidc-client.js';
import { storageMountSpec } from '../api/storage-mount.js';
import { wopiClientSpec } from '../api/wopi-client.js';
import {
  driveInstanceResource,
  oidcClientResource,
  s3MountResource,
  wopiClientResource,
  type Mutable,
} from '../test-support/resources.js';
import {
  bucketCredentials,
  clientCredentials,
  redisUrl,
  resolveDatabase,
  resolveEditor,
  resolveStorage,
} from './resolve-references.js';

const s3Spec = (s3: Mutable) => storageMountSpec.parse(s3MountResource(s3).spec).s3!;
const drive = (spec: Mutable) => driveInstanceSpec.parse(driveInstanceResource(spec).spec);

describe('bucket credentials', () => {
  it('come from the given Secret for an external store', () => {
    expect(bucketCredentials('media', s3Spec({}))).toEqual({
      accessKeyId: { name: 'media-credentials', key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: 'media-credentials', key: 'AWS_SECRET_ACCESS_KEY' },
    });
  });

  it('come from the Secret Rook writes for an ObjectBucketClaim, named after the claim', () => {
    const rook = s3Spec({
      provider: 'rook',
      credentials: undefined,
      rook: { storageClassName: 'bucket' },
    });
    expect(bucketCredentials('media', rook).accessKeyId).toEqual({
      name: 'media',
      key: 'AWS_ACCESS_KEY_ID',
    });
  });

  it('come from the operator-written Secret for a provisioned user', () => {
    const rgw = s3Spec({
      provider: 'rgw',
      credentials: undefined,
      adminCredentials: { name: 'rgw-admin' },
    });
    expect(bucketCredentials('media', rgw).secretAccessKey).toEqual({
      name: 'media-s3-credentials',
      key: 'AWS_SECRET_ACCESS_KEY',
    });
  });

  it('need an internal endpoint, from the spec or from the live claim', () => {
    const rook = s3Spec({
      provider: 'rook',
      credentials: undefined,
      rook: { storageClassName: 'bucket' },
      endpoints: { public: 'https://s3.example.com' },
    });
    expect(() => resolveStorage('media', rook, {})).toThrow(/no internal endpoint known yet/);
    expect(
      resolveStorage('media', rook, { internalEndpoint: 'http://rgw:80' }).internalEndpoint,
    ).toBe('http://rgw:80');
  });
});

describe('client credentials', () => {
  it('read the id from the Secret unless spec.clientId is set', () => {
    const fromSecret = oidcClientSpec.parse(oidcClientResource().spec);
    expect(clientCredentials('login', fromSecret).clientId).toEqual({
      secretKeyRef: { name: 'login-client', key: 'client_id' },
    });
    const explicit = oidcClientSpec.parse(oidcClientResource({ clientId: 'drive' }).spec);
    expect(clientCredentials('login', explicit).clientId).toEqual({ value: 'drive' });
  });

  it('come from the operator-owned Secret for registered clients', () => {
    const registered = oidcClientSpec.parse(
      oidcClientResource({
        credentials: { dynamicRegistration: { initialAccessTokenSecretRef: { name: 'iat' } } },
      }).spec,
    );
    expect(clientCredentials('login', registered).clientSecret).toEqual({
      name: 'login-oidc-credentials',
      key: 'client_secret',
    });
  });
});

describe('database and Redis', () => {
  it('use the app Secret CloudNativePG writes for the cluster the operator creates', () => {
    expect(resolveDatabase('drive', drive({}).database).password).toEqual({
      name: 'drive-db-app',
      key: 'password',
    });
  });

  it('use the keys of an existing Secret', () => {
    const database = drive({
      database: { secretRef: { name: 'pg', keys: { host: 'HOST' } } },
    }).database;
    expect(resolveDatabase('drive', database).host).toEqual({
      secretKeyRef: { name: 'pg', key: 'HOST' },
    });
    expect(resolveDatabase('drive', database).name).toEqual({
      secretKeyRef: { name: 'pg', key: 'dbname' },
    });
  });

  it('take the Redis URL from the managed Redis Secret or a given one', () => {
    expect(redisUrl('drive', drive({}).redis)).toEqual({ name: 'drive-redis', key: 'url' });
    expect(redisUrl('drive', drive({ redis: { secretRef: { name: 'r' } } }).redis)).toEqual({
      name: 'r',
      key: 'url',
    });
  });
});

describe('editors', () => {
  it('tell Drive that Collabora does not rename, unless told otherwise', () => {
    const collabora = wopiClientSpec.parse(wopiClientResource().spec);
    expect(resolveEditor(collabora, 'http://c/hosting/discovery')).toEqual({
      clientName: 'collabora',
      discoveryUrl: 'http://c/hosting/discovery',
      options: { SupportsRename: false },
    });
    const renaming = wopiClientSpec.parse(
      wopiClientResource({ clientName: 'office', options: { supportsRename: true } }).spec,
    );
    expect(resolveEditor(renaming, 'http://c').options).toEqual({ SupportsRename: true });
    expect(resolveEditor(renaming, 'http://c').clientName).toBe('office');
  });
});

// One test per trap of drive-contract.md that the env contract encodes.
import { describe, expect, it } from 'vitest';
import { driveInstanceSpec } from '../api/drive-instance.js';
import { renderInputs } from '../test-support/render-inputs.js';
import { driveInstanceResource, type Mutable } from '../test-support/resources.js';
import {
  driveEnvironment,
  DriveEnvError,
  MULTIPART_DISABLED_THRESHOLD,
  plainValues,
  type DriveEnvInputs,
  type DriveEnvVar,
} from './drive-env.js';
import { MANAGED_ENV_NAMES, WOPI_CLIENT_ENV_PATTERN } from './managed-env.js';

function inputs(spec: Mutable = {}, overrides: Partial<DriveEnvInputs> = {}): DriveEnvInputs {
  return {
    spec: driveInstanceSpec.parse(driveInstanceResource(spec).spec),
    storage: {
      bucket: 'drive-media',
      region: 'us-east-1',
      internalEndpoint: 'http://rgw.storage.svc:7480',
      publicEndpoint: 'https://s3.example.com/',
      accessKeyId: { name: 'media', key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: 'media', key: 'AWS_SECRET_ACCESS_KEY' },
    },
    identity: renderInputs().identity,
    editors: [],
    database: {
      host: { value: 'db-rw' },
      port: { value: '5432' },
      name: { value: 'drive' },
      user: { value: 'drive' },
      password: { name: 'db-app', key: 'password' },
    },
    redisUrl: { name: 'redis', key: 'url' },
    djangoSecretKey: { name: 'drive-generated', key: 'DJANGO_SECRET_KEY' },
    topology: {
      internalBackendHosts: [
        'drive-backend',
        'drive-backend.apps.svc',
        'drive-backend.apps.svc.cluster.local',
      ],
      wopiSrcBaseUrl: 'https://drive.example.com',
    },
    ...overrides,
  };
}

function byName(vars: DriveEnvVar[]): Map<string, DriveEnvVar> {
  return new Map(vars.map((entry) => [entry.name, entry]));
}

function value(vars: DriveEnvVar[], name: string): string | undefined {
  const entry = byName(vars).get(name);
  return entry && 'value' in entry ? entry.value : undefined;
}

describe('the Drive env contract', () => {
  it('sets DJANGO_CONFIGURATION explicitly (Drive defaults to Development)', () => {
    expect(value(driveEnvironment(inputs()), 'DJANGO_CONFIGURATION')).toBe('Production');
  });

  it('writes booleans and dicts as Python literals', () => {
    const env = driveEnvironment(
      inputs(
        { resourceServer: { enabled: true, allowedAudiences: ['docs'] } },
        {
          editors: [
            {
              clientName: 'collabora',
              discoveryUrl: 'http://c:9980/hosting/discovery',
              options: { SupportsRename: false },
            },
          ],
        },
      ),
    );
    expect(value(env, 'FRONTEND_HIDE_GAUFRE')).toBe('True');
    expect(value(env, 'OIDC_RESOURCE_SERVER_ENABLED')).toBe('True');
    expect(value(env, 'WOPI_COLLABORA_OPTIONS')).toBe('{"SupportsRename": False}');
    expect(value(env, 'EXTERNAL_API')).toMatch(/^\{"items": \{"enabled": True, /);
    for (const entry of env) {
      if ('value' in entry) expect(entry.value, entry.name).not.toMatch(/\b(true|false|null)\b/);
    }
  });

  it('serves media from the app origin, without a trailing slash', () => {
    expect(value(driveEnvironment(inputs()), 'MEDIA_BASE_URL')).toBe('https://drive.example.com');
  });

  it('signs media for the internal endpoint and browser uploads for the public one', () => {
    const env = driveEnvironment(inputs());
    expect(value(env, 'AWS_S3_ENDPOINT_URL')).toBe('http://rgw.storage.svc:7480');
    expect(value(env, 'AWS_S3_DOMAIN_REPLACE')).toBe('https://s3.example.com');
  });

  it('refuses an S3 endpoint with a path, which would break every signature', () => {
    const broken = inputs();
    broken.storage = { ...broken.storage, publicEndpoint: 'https://example.com/s3' };
    expect(() => driveEnvironment(broken)).toThrow(/has a path/);
  });

  it('computes checksums only when required, for stores that reject aws-chunked trailers', () => {
    const env = driveEnvironment(inputs());
    expect(value(env, 'AWS_REQUEST_CHECKSUM_CALCULATION')).toBe('when_required');
    expect(value(env, 'AWS_RESPONSE_CHECKSUM_VALIDATION')).toBe('when_required');
  });

  it('allows every host the backend is called by, not only the public one', () => {
    expect(value(driveEnvironment(inputs()), 'DJANGO_ALLOWED_HOSTS')?.split(',')).toEqual([
      'drive.example.com',
      'drive-backend',
      'drive-backend.apps.svc',
      'drive-backend.apps.svc.cluster.local',
    ]);
  });

  it('never emits a name twice, and names who set a duplicate', () => {
    const env = driveEnvironment(
      inputs({ extraEnv: [{ name: 'FEATURES_INDEXED_SEARCH', value: 'False' }] }),
    );
    expect(new Set(env.map((entry) => entry.name)).size).toBe(env.length);
    const clash = inputs();
    clash.spec.extraEnv = [{ name: 'MEDIA_BASE_URL', value: 'https://elsewhere' }];
    expect(() => driveEnvironment(clash)).toThrow(
      new DriveEnvError(
        'MEDIA_BASE_URL is set twice: by the operator and by spec.extraEnv[MEDIA_BASE_URL]',
      ),
    );
  });

  it('refuses two editors Drive would know by the same name', () => {
    const editor = {
      clientName: 'collabora',
      discoveryUrl: 'http://c/hosting/discovery',
      options: {},
    };
    expect(() => driveEnvironment(inputs({}, { editors: [editor, editor] }))).toThrow(
      /WOPI_CLIENTS|set twice/,
    );
  });

  it('passes secrets only by reference', () => {
    const env = byName(
      driveEnvironment(inputs({ resourceServer: { enabled: true, allowedAudiences: ['docs'] } })),
    );
    for (const name of [
      'DJANGO_SECRET_KEY',
      'DB_PASSWORD',
      'REDIS_URL',
      'DJANGO_CELERY_BROKER_URL',
      'AWS_S3_ACCESS_KEY_ID',
      'AWS_S3_SECRET_ACCESS_KEY',
      'OIDC_RP_CLIENT_SECRET',
      'OIDC_RS_CLIENT_SECRET',
    ]) {
      expect(env.get(name), name).toHaveProperty('secretKeyRef');
    }
    expect(Object.keys(plainValues([...env.values()]))).not.toContain('DJANGO_SECRET_KEY');
  });

  it('never sets variables Drive mis-parses from the environment', () => {
    const names = driveEnvironment(inputs()).map((entry) => entry.name);
    for (const forbidden of ['TRASHBIN_CUTOFF_DAYS', 'PURGE_GRACE_DAYS', 'AWS_SESSION_TOKEN']) {
      expect(names).not.toContain(forbidden);
    }
  });

  it('emits only names the extraEnv admission rule reserves', () => {
    const env = driveEnvironment(
      inputs(
        { resourceServer: { enabled: true, allowedAudiences: ['docs'] }, ui: { theme: 'dark' } },
        {
          editors: [
            { clientName: 'collabora', discoveryUrl: 'http://c/hosting/discovery', options: {} },
          ],
          identity: { ...inputs().identity, storeClaims: ['siret'] },
          topology: { ...inputs().topology, mediaAuthOriginalUrlHeader: 'HTTP_X_FORWARDED_URI' },
        },
      ),
    );
    const reserved = new Set<string>(MANAGED_ENV_NAMES);
    const stray = env
      .map((entry) => entry.name)
      .filter((name) => !reserved.has(name) && !new RegExp(WOPI_CLIENT_ENV_PATTERN).test(name));
    expect(stray).toEqual([]);
  });

  it('sets the logout endpoint only when the IdP publishes one', () => {
    const base = inputs();
    const { endSession: _endSession, ...withoutLogout } = base.identity.endpoints;
    const env = driveEnvironment({
      ...base,
      identity: { ...base.identity, endpoints: withoutLogout },
    });
    expect(byName(env).has('OIDC_OP_LOGOUT_ENDPOINT')).toBe(false);
  });

  it('refuses the resource server when the IdP has no introspection endpoint', () => {
    const base = inputs({ resourceServer: { enabled: true, allowedAudiences: ['docs'] } });
    const { introspection: _introspection, ...withoutIntrospection } = base.identity.endpoints;
    expect(() =>
      driveEnvironment({
        ...base,
        identity: { ...base.identity, endpoints: withoutIntrospection },
      }),
    ).toThrow(/publishes no introspection_endpoint/);
  });

  it('maps chunked uploads to boto3 multipart settings, and disables multipart otherwise', () => {
    const chunked = driveEnvironment(inputs({ upload: { chunkSizeBytes: 16 * 1024 * 1024 } }));
    expect(value(chunked, 'S3_TRANSFER_CONFIG_MULTIPART_CHUNKSIZE')).toBe(String(16 * 1024 * 1024));
    const whole = driveEnvironment(inputs({ upload: { chunked: false } }));
    expect(value(whole, 'S3_TRANSFER_CONFIG_MULTIPART_THRESHOLD')).toBe(
      String(MULTIPART_DISABLED_THRESHOLD),
    );
  });

  it('wires WOPI only when editors are referenced', () => {
    expect(byName(driveEnvironment(inputs())).has('WOPI_CLIENTS')).toBe(false);
    const env = driveEnvironment(
      inputs(
        {},
        {
          editors: [
            {
              clientName: 'collabora',
              discoveryUrl: 'http://c:9980/hosting/discovery',
              options: {},
            },
          ],
        },
      ),
    );
    expect(value(env, 'WOPI_CLIENTS')).toBe('collabora');
    expect(value(env, 'WOPI_COLLABORA_DISCOVERY_URL')).toBe('http://c:9980/hosting/discovery');
    expect(value(env, 'WOPI_SRC_BASE_URL')).toBe('https://drive.example.com');
  });

  it('tells Drive which header carries the original URL only when the edge needs it', () => {
    expect(byName(driveEnvironment(inputs())).has('MEDIA_AUTH_ORIGINAL_URL_HEADER')).toBe(false);
    const direct = inputs();
    direct.topology = { ...direct.topology, mediaAuthOriginalUrlHeader: 'HTTP_X_FORWARDED_URI' };
    expect(value(driveEnvironment(direct), 'MEDIA_AUTH_ORIGINAL_URL_HEADER')).toBe(
      'HTTP_X_FORWARDED_URI',
    );
  });

  it('is deterministic', () => {
    expect(driveEnvironment(inputs())).toEqual(driveEnvironment(inputs()));
  });
});

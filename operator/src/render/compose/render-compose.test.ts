import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../repo-root.js';
import {
  COMPOSE_EXAMPLES,
  composeDocument,
  renderExample,
  withSpec,
} from '../../test-support/compose-render.js';
import { RENDERED_FILES_LIST } from '../../cli/compose-command.js';
import { storageMountSpec } from '../../api/storage-mount.js';
import { randomSecret } from '../random-secret.js';
import { renderEnvFile, parseEnvFile } from './env-file.js';

const PINNED = /^[a-z0-9./_-]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)(@sha256:[a-f0-9]{64})?$/;

type Service = Record<string, unknown>;

function allServices(rendered: Awaited<ReturnType<typeof renderExample>>) {
  return rendered.composeFiles.flatMap((file) =>
    Object.entries(composeDocument(rendered, file).services),
  );
}

describe('the Compose renderer', () => {
  it.each(COMPOSE_EXAMPLES)('pins every image of the %s example, never latest', async (name) => {
    for (const [service, definition] of allServices(await renderExample(name))) {
      const image = String(definition.image);
      expect(image, service).toMatch(PINNED);
      expect(image, service).not.toMatch(/:latest$/);
    }
  });

  it.each(COMPOSE_EXAMPLES)(
    'keeps every secret of the %s example in .env and every reference declared',
    async (name) => {
      const rendered = await renderExample(name);
      const env = renderEnvFile(undefined, rendered.variables, 'test', randomSecret);
      const values = [...parseEnvFile(env.text).values()].filter((value) => value.length > 0);
      const declared = new Set(rendered.variables.map((variable) => variable.name));
      const referenced = new Set<string>();
      for (const [path, text] of rendered.files) {
        for (const value of values) expect(text.includes(value), path).toBe(false);
        for (const match of text.matchAll(/\$\{([A-Z0-9_]+)(:\?[^}]*)?\}/g))
          referenced.add(match[1] ?? '');
      }
      // The realm file's placeholders are resolved by Keycloak from its environment, which the
      // Compose file fills from .env: every reference names a declared variable.
      for (const name of referenced) expect(declared.has(name), name).toBe(true);
      for (const variable of rendered.variables) expect(referenced.has(variable.name)).toBe(true);
    },
  );

  it('gives one-shot services restart "no" and long-running ones a restart policy and healthcheck', async () => {
    const services = Object.fromEntries(allServices(await renderExample('dev')));
    for (const name of ['migrate', 'configure-wopi', 'storage-init'])
      expect(services[name]?.restart, name).toBe('no');
    for (const name of [
      'edge',
      'backend',
      'frontend',
      'worker',
      'postgres',
      'redis',
      'seaweedfs',
      'keycloak',
      'collabora',
    ]) {
      expect(services[name]?.restart, name).toBe('unless-stopped');
      expect(services[name]?.healthcheck, name).toBeDefined();
    }
  });

  it('starts Drive after its migrations, its database, Redis and the bucket', async () => {
    const services = Object.fromEntries(allServices(await renderExample('dev')));
    expect(services.backend?.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      'storage-init': { condition: 'service_completed_successfully' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(services.edge?.depends_on).toMatchObject({
      backend: { condition: 'service_healthy', restart: true },
    });
  });

  it('runs every container of the backend image hardened, with one environment', async () => {
    const rendered = await renderExample('dev');
    const text = rendered.files.get('compose.yaml') ?? '';
    expect(text).toContain('x-drive-environment: &drive-environment');
    const services = composeDocument(rendered).services;
    for (const name of ['backend', 'worker', 'beat', 'maintenance', 'migrate', 'configure-wopi']) {
      const service = services[name] as Service;
      expect(service.image, name).toBe('lasuite/drive-backend:v0.21.1');
      expect(service.environment, name).toEqual(rendered.driveEnvironment.environment);
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toEqual(['ALL']);
      expect(service.security_opt, name).toEqual(['no-new-privileges:true']);
    }
  });

  it('hands the SeaweedFS keys to Drive as files written by storage-init', async () => {
    const rendered = await renderExample('dev');
    const environment = rendered.driveEnvironment.environment;
    expect(environment.AWS_S3_ACCESS_KEY_ID_FILE).toBe(
      '/run/lasuite/s3/drive-media/AWS_ACCESS_KEY_ID',
    );
    expect(environment.AWS_S3_ACCESS_KEY_ID).toBeUndefined();
    const config = JSON.parse(rendered.files.get('compose/storage/drive-media.json') ?? '{}') as {
      identity: { credentialsDirectory: string };
      settings: { cors: { allowedOrigins: string[] } };
    };
    expect(config.identity.credentialsDirectory).toBe('/run/lasuite/s3/drive-media');
    expect(config.settings.cors.allowedOrigins).toEqual(['https://drive.dev.lan']);
  });

  it('routes the dev hosts on the nginx edge: Drive with Collabora, S3 and Keycloak', async () => {
    const rendered = await renderExample('dev');
    const sites = rendered.files.get('compose/nginx/drive.conf') ?? '';
    expect(sites).toContain('server_name drive.dev.lan;');
    expect(sites).toContain('location ^~ /cool/adminws { return 403; }');
    expect(sites).toContain('proxy_pass http://collabora:9980;');
    expect(sites).toMatch(/server_name s3\.dev\.lan;[\s\S]*proxy_pass http:\/\/seaweedfs:8333;/);
    expect(sites).toMatch(/server_name auth\.dev\.lan;[\s\S]*proxy_pass http:\/\/keycloak:8080;/);
    expect(sites).toContain('return 308 https://$host$request_uri;');
    expect(rendered.publicHosts).toEqual(['drive.dev.lan', 's3.dev.lan', 'auth.dev.lan']);
    const edge = composeDocument(rendered).services.edge as { networks: unknown };
    expect(edge.networks).toEqual({ default: { aliases: rendered.publicHosts } });
  });

  it('renders the Traefik edge from the same routes, with the media gateway', async () => {
    const rendered = await renderExample('dev', (resources) =>
      withSpec(resources, 'ComposeProject', (spec) => ({
        ...spec,
        edge: { ...(spec.edge as object), type: 'traefik' },
      })),
    );
    const services = composeDocument(rendered).services;
    expect(Object.keys(services)).toContain('media-gateway');
    expect(services['media-gateway']?.environment).toEqual({
      DRIVE_MEDIA_AUTH_URL: 'http://backend:8000/api/v1.0/items/media-auth/',
      PUBLIC_HOST: 'drive.dev.lan',
      S3_UPSTREAM_URL: 'http://seaweedfs:8333',
      PORT: '8080',
    });
    const dynamic = parse(rendered.files.get('compose/traefik/dynamic/drive.yml') ?? '') as {
      http: {
        routers: Record<string, { rule: string; middlewares?: string[]; service: string }>;
        services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
        middlewares: Record<string, Record<string, unknown>>;
      };
    };
    expect(dynamic.http.routers['drive-media']?.middlewares).toEqual([
      'drive-media-auth',
      'drive-media-path',
      'drive-media-upstream',
      'drive-media-download',
    ]);
    expect(dynamic.http.middlewares['drive-media-auth']).toMatchObject({
      forwardAuth: { address: 'http://media-gateway:8080/auth' },
    });
    expect(dynamic.http.services['drive-media']?.loadBalancer.servers).toEqual([
      { url: 'http://seaweedfs:8333' },
    ]);
    expect(dynamic.http.routers['s3-s3-dev-lan']?.rule).toBe('Host(`s3.dev.lan`)');
    expect(rendered.files.has('compose/nginx/drive.conf')).toBe(false);
  });

  it('splits the multi-VM example into three files that only reach each other by address', async () => {
    const rendered = await renderExample('multi-vm');
    expect(rendered.composeFiles).toEqual([
      'compose.edge.yaml',
      'compose.apps.yaml',
      'compose.storage.yaml',
    ]);
    const byFile = Object.fromEntries(
      rendered.composeFiles.map((file) => [file, composeDocument(rendered, file).services]),
    );
    expect(Object.keys(byFile['compose.edge.yaml'] ?? {}).sort()).toEqual([
      'edge',
      'media-gateway',
    ]);
    expect(Object.keys(byFile['compose.storage.yaml'] ?? {}).sort()).toEqual([
      'postgres',
      'seaweedfs',
    ]);
    for (const [file, services] of Object.entries(byFile))
      for (const [name, service] of Object.entries(services))
        for (const dependency of Object.keys((service.depends_on as object | undefined) ?? {}))
          expect(Object.keys(services), `${file} ${name} → ${dependency}`).toContain(dependency);
    expect(byFile['compose.storage.yaml']?.postgres?.ports).toEqual(['10.0.0.3:5432:5432']);
    expect(byFile['compose.apps.yaml']?.backend?.ports).toEqual(['10.0.0.2:8000:8000']);
    expect(rendered.driveEnvironment.environment.DB_HOST).toBe('10.0.0.3');
    const media = (byFile['compose.edge.yaml']?.['media-gateway']?.environment ?? {}) as Record<
      string,
      string
    >;
    expect(media.DRIVE_MEDIA_AUTH_URL).toBe('http://10.0.0.2:8000/api/v1.0/items/media-auth/');
    expect(rendered.files.get('compose.edge.yaml')).not.toContain('x-drive-environment');
  });

  it('serves the SMB mounts under /mounts/ with the share credentials from .env', async () => {
    const rendered = await renderExample('dev', (resources) => [
      ...withSpec(resources, 'DriveInstance', (spec) => ({
        ...spec,
        mounts: [{ name: 'team-share' }],
      })),
      {
        kind: 'StorageMount',
        name: 'team-share',
        spec: storageMountSpec.parse({
          type: 'smb',
          smb: {
            host: 'files.example.com',
            share: 'teams',
            credentialsSecretRef: { name: 'team-share-smb' },
            roles: [{ subject: { group: 'staff' }, role: 'editor' }],
          },
        }),
      },
    ]);
    const mounts = composeDocument(rendered).services.mounts as {
      environment: Record<string, string>;
      image: string;
    };
    expect(mounts.image).toBe('ghcr.io/lasuite-selfhost/smb-mount:0.1.0');
    expect(JSON.parse(mounts.environment.MOUNTS ?? '[]')).toEqual([
      expect.objectContaining({ name: 'team-share', host: 'files.example.com', share: 'teams' }),
    ]);
    expect(mounts.environment.SMB_TEAM_SHARE_PASSWORD).toBe(
      '${TEAM_SHARE_SMB__PASSWORD:?set it in .env, see the comment above it}',
    );
    expect(mounts.environment.OIDC_TOKEN_ENDPOINT).toBe(
      'http://keycloak:8080/realms/drive/protocol/openid-connect/token',
    );
    expect(rendered.variables).toContainEqual(
      expect.objectContaining({ name: 'DRIVE_MOUNTS__SESSION_SECRET', kind: 'generated' }),
    );
    expect(rendered.files.get('compose/nginx/drive.conf')).toContain(
      'location ^~ /mounts/ {',
    );
    expect(rendered.files.get('compose/nginx/drive.conf')).toContain(
      'proxy_pass http://mounts:8090;',
    );
    const realm = JSON.parse(rendered.files.get('compose/keycloak/realm-drive.json') ?? '{}') as {
      clients: { redirectUris: string[] }[];
    };
    expect(realm.clients[0]?.redirectUris).toContain('https://drive.dev.lan/mounts/auth/callback');
  });

  it('is deterministic', async () => {
    const first = await renderExample('dev');
    const second = await renderExample('dev');
    expect([...second.files]).toEqual([...first.files]);
  });
});

describe('the checked-in compose.yaml', () => {
  it('is the rendering of examples/compose/dev (run `make compose-dev` after a change)', async () => {
    const rendered = await renderExample('dev');
    for (const [path, content] of rendered.files)
      expect(await readFile(join(REPO_ROOT, path), 'utf8'), path).toBe(content);
    const listed = (await readFile(join(REPO_ROOT, RENDERED_FILES_LIST), 'utf8'))
      .split('\n')
      .filter(Boolean);
    expect(listed).toEqual([...rendered.files.keys(), RENDERED_FILES_LIST].sort());
  });
});

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../test-support/kubernetes-schemas.js';
import { counterRandom, renderInputs } from '../test-support/render-inputs.js';
import type { Mutable } from '../test-support/resources.js';
import { CHECKSUM_ANNOTATION } from './config-checksum.js';
import { toMultiDocumentYaml as toYaml } from './manifest-yaml.js';
import { renderDrive, RenderError, type KubeObject } from './drive-objects.js';
import { ROTATE_ANNOTATION, ROTATED_FOR_ANNOTATION } from './generated-secrets.js';
import { TEST_EDGES } from '../test-support/edges.js';

const GOLDEN = join(import.meta.dirname, '__golden__');

const EDGES = TEST_EDGES;

/** Compares with the committed golden file; UPDATE_GOLDEN=1 rewrites it after a reviewed change. */
function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN, `${name}.yaml`);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  if (!existsSync(file))
    throw new Error(`no golden file ${file}: run UPDATE_GOLDEN=1 npx vitest run and review it`);
  expect(
    text,
    `${name} differs from ${file}; if the change is intended, UPDATE_GOLDEN=1 and review`,
  ).toBe(readFileSync(file, 'utf8'));
}

type AnyObject = Record<string, any>;

function find(objects: readonly KubeObject[], kind: string, name: string): AnyObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

function podSpecs(objects: readonly KubeObject[]): [string, AnyObject][] {
  return (objects as readonly AnyObject[]).flatMap((object): [string, AnyObject][] => {
    if (object.kind === 'Deployment' || object.kind === 'Job')
      return [[object.metadata.name, object.spec.template]];
    if (object.kind === 'CronJob')
      return [[object.metadata.name, object.spec.jobTemplate.spec.template]];
    return [];
  });
}

describe.each(Object.entries(EDGES))(
  'rendering a DriveInstance with the %s edge',
  (edgeName, edge) => {
    const rendered = () => renderDrive(renderInputs({ edge }));

    it('matches the golden file', () => {
      expectGolden(edgeName, toYaml(rendered().objects));
    });

    it('is deterministic, byte for byte', () => {
      expect(toYaml(renderDrive(renderInputs({ edge })).objects)).toBe(toYaml(rendered().objects));
    });

    it('produces objects valid against their Kubernetes and CRD schemas', () => {
      expect(rendered().objects.flatMap(schemaErrors)).toEqual([]);
    });

    it('owns and labels every object', () => {
      for (const object of rendered().objects as AnyObject[]) {
        expect(object.metadata.ownerReferences, `${object.kind}/${object.metadata.name}`).toEqual([
          expect.objectContaining({ kind: 'DriveInstance', name: 'drive', controller: true }),
        ]);
        expect(object.metadata.labels).toMatchObject({
          'app.kubernetes.io/name': 'drive',
          'app.kubernetes.io/instance': 'drive',
          'app.kubernetes.io/managed-by': 'lasuite-operator',
        });
        expect(object.metadata.namespace).toBe('apps');
      }
    });
  },
);

describe('the rendered workloads', () => {
  const { objects } = renderDrive(renderInputs());

  it('run under the restricted pod security standard, as uid 1001 / gid 127', () => {
    for (const [name, template] of podSpecs(objects)) {
      if (name.endsWith('-redis')) continue;
      expect(template.spec.securityContext, name).toEqual({
        runAsNonRoot: true,
        runAsUser: 1001,
        runAsGroup: 127,
        fsGroup: 127,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const container of [
        ...template.spec.containers,
        ...(template.spec.initContainers ?? []),
      ]) {
        expect(container.securityContext, `${name}/${String(container.name)}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(container.image).not.toMatch(/:latest$/);
      }
    }
  });

  it('never name an environment variable twice in a container', () => {
    for (const [name, template] of podSpecs(objects)) {
      for (const container of template.spec.containers) {
        const names = (container.env ?? []).map((entry: { name: string }) => entry.name);
        expect(new Set(names).size, `${name}/${String(container.name)}`).toBe(names.length);
      }
    }
  });

  it('read secrets only through secretKeyRef, never from the ConfigMap or an annotation', () => {
    const inputs = renderInputs();
    const result = renderDrive(inputs);
    const secretValues = (result.objects as AnyObject[])
      .filter((object) => object.kind === 'Secret')
      .flatMap((secret) =>
        Object.values(secret.data as Record<string, string>).map((value) =>
          Buffer.from(value, 'base64').toString(),
        ),
      );
    expect(secretValues.length).toBeGreaterThan(0);
    const exposed = JSON.stringify(result.objects.filter((object) => object.kind !== 'Secret'));
    for (const value of secretValues) expect(exposed).not.toContain(value);
    const configMap = find(result.objects, 'ConfigMap', 'drive-env');
    for (const name of [
      'DJANGO_SECRET_KEY',
      'DB_PASSWORD',
      'REDIS_URL',
      'AWS_S3_SECRET_ACCESS_KEY',
      'OIDC_RP_CLIENT_SECRET',
    ]) {
      expect(configMap.data).not.toHaveProperty(name);
    }
  });

  it('probe the API on /__lbheartbeat__ (liveness) and /__heartbeat__ (readiness)', () => {
    const container = find(objects, 'Deployment', 'drive-backend').spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe('/__lbheartbeat__');
    expect(container.readinessProbe.httpGet.path).toBe('/__heartbeat__');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
  });

  it('run exactly one Celery beat, replaced rather than surged', () => {
    const beat = find(objects, 'Deployment', 'drive-beat');
    expect(beat.spec.replicas).toBe(1);
    expect(beat.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('keep new API pods waiting until migrations are applied', () => {
    const init = find(objects, 'Deployment', 'drive-backend').spec.template.spec.initContainers;
    expect(init[0].command.join(' ')).toContain('python manage.py migrate --check');
    expect(
      find(objects, 'Job', renderDrive(renderInputs()).migrationsJob).spec.template.spec
        .containers[0].command,
    ).toEqual(['python', 'manage.py', 'migrate', '--no-input']);
  });

  it('run the two daily maintenance commands', () => {
    expect(find(objects, 'CronJob', 'drive-clean-pending').spec.schedule).toBe('30 0 * * *');
    expect(
      find(objects, 'CronJob', 'drive-purge-deleted').spec.jobTemplate.spec.template.spec
        .containers[0].command,
    ).toEqual(['python', 'manage.py', 'purge_deleted_items']);
  });

  it('let an autoscaler own the API replicas when asked', () => {
    const scaled = renderDrive(
      renderInputs({ backend: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } }),
    ).objects;
    expect(find(scaled, 'Deployment', 'drive-backend').spec).not.toHaveProperty('replicas');
    expect(find(scaled, 'HorizontalPodAutoscaler', 'drive-backend').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(objects.some((object) => object.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });

  it('allow the API only from the edge, the media gateway and the managed editor', () => {
    const policy = find(objects, 'NetworkPolicy', 'drive-allow-backend');
    expect(policy.spec.ingress[0].from).toEqual([
      {
        namespaceSelector: {},
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      },
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/name': 'drive', 'app.kubernetes.io/instance': 'drive' },
          matchExpressions: [
            { key: 'app.kubernetes.io/component', operator: 'In', values: ['media-gateway'] },
          ],
        },
      },
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'collabora',
            'app.kubernetes.io/instance': 'collabora',
          },
        },
      },
    ]);
  });
});

describe('configuration roll-outs', () => {
  const checksum = (objects: readonly KubeObject[]) =>
    find(objects, 'Deployment', 'drive-backend').spec.template.metadata.annotations[
      CHECKSUM_ANNOTATION
    ] as string;

  it('change the pod checksum and the migrations Job when the configuration changes', () => {
    const before = renderDrive(renderInputs());
    const after = renderDrive(renderInputs({ host: 'files.example.com' }));
    expect(checksum(after.objects)).not.toBe(checksum(before.objects));
    expect(after.migrationsJob).not.toBe(before.migrationsJob);
  });

  it('change the pod checksum when a referenced Secret changes', () => {
    const inputs = renderInputs();
    const changed = renderInputs(
      {},
      {
        referencedSecrets: {
          ...inputs.referencedSecrets,
          media: { keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], resourceVersion: '999' },
        },
      },
    );
    expect(checksum(renderDrive(changed).objects)).not.toBe(checksum(renderDrive(inputs).objects));
  });

  it('run trigger_wopi_configuration again when a WOPI setting changes, and only then', () => {
    const wopiJob = (objects: readonly KubeObject[]) =>
      objects.filter(
        (object) => object.kind === 'Job' && object.metadata.name.includes('-wopi-config-'),
      );
    const inputs = renderInputs();
    const [job] = wopiJob(renderDrive(inputs).objects) as AnyObject[];
    expect(job?.spec.template.spec.containers[0].command).toEqual([
      'python',
      'manage.py',
      'trigger_wopi_configuration',
    ]);
    const moved = renderInputs(
      {},
      {
        editors: inputs.editors.map((editor) => ({
          ...editor,
          discoveryUrl: 'https://office.example.com/hosting/discovery',
        })),
      },
    );
    expect(wopiJob(renderDrive(moved).objects)[0]?.metadata.name).not.toBe(job?.metadata.name);
    expect(
      wopiJob(renderDrive(renderInputs({ version: 'v0.21.0' })).objects)[0]?.metadata.name,
    ).toBe(job?.metadata.name);
    expect(wopiJob(renderDrive(renderInputs({}, { editors: [] })).objects)).toEqual([]);
  });

  it('name the migrations Job after the Drive version', () => {
    expect(renderDrive(renderInputs({ version: 'v0.21.0' })).migrationsJob).not.toBe(
      renderDrive(renderInputs()).migrationsJob,
    );
  });
});

describe('generated secrets', () => {
  const secretData = (objects: readonly KubeObject[], name: string) =>
    Object.fromEntries(
      Object.entries(find(objects, 'Secret', name).data as Record<string, string>).map(
        ([key, value]) => [key, Buffer.from(value, 'base64').toString()],
      ),
    );
  const existing = (objects: readonly KubeObject[]) =>
    Object.fromEntries(
      ['drive-generated', 'drive-redis'].map((name) => [
        name,
        {
          data: secretData(objects, name),
          annotations: (find(objects, 'Secret', name).metadata as Mutable).annotations ?? {},
        },
      ]),
    ) as Record<string, { data: Record<string, string>; annotations: Record<string, string> }>;

  it('are kept on every later render', () => {
    const first = renderDrive(renderInputs()).objects;
    const second = renderDrive(
      renderInputs({}, { existingSecrets: existing(first), randomValue: () => 'different' }),
    ).objects;
    expect(secretData(second, 'drive-generated')).toEqual(secretData(first, 'drive-generated'));
    expect(secretData(second, 'drive-redis')).toEqual(secretData(first, 'drive-redis'));
  });

  it('are regenerated for a new rotation token only, and stay put once the token is removed', () => {
    const first = renderDrive(renderInputs()).objects;
    const rotating = renderInputs(
      {},
      { existingSecrets: existing(first), randomValue: counterRandom() },
    );
    rotating.instance = {
      ...rotating.instance,
      annotations: { [ROTATE_ANNOTATION]: '2026-11-21' },
    };
    const rotated = renderDrive({
      ...rotating,
      randomValue: () => 'rotated-value-of-sufficient-length',
    }).objects;
    expect(secretData(rotated, 'drive-generated').DJANGO_SECRET_KEY).toBe(
      'rotated-value-of-sufficient-length',
    );
    expect((find(rotated, 'Secret', 'drive-generated').metadata as Mutable).annotations).toEqual({
      [ROTATED_FOR_ANNOTATION]: '2026-11-21',
    });
    const after = renderDrive(
      renderInputs({}, { existingSecrets: existing(rotated), randomValue: () => 'again' }),
    ).objects;
    expect(secretData(after, 'drive-generated')).toEqual(secretData(rotated, 'drive-generated'));
  });

  it('build the Redis URL from the generated password', () => {
    const data = secretData(renderDrive(renderInputs()).objects, 'drive-redis');
    expect(data.url).toBe(
      `redis://:${String(data.password)}@drive-redis.apps.svc.cluster.local:6379/0`,
    );
  });
});

describe('secret references', () => {
  it('all exist in the inputs', () => {
    expect(renderDrive(renderInputs()).secretProblems).toEqual({
      missingSecrets: [],
      missingKeys: [],
    });
  });

  it('report a Secret not there yet, and a key that is missing', () => {
    const inputs = renderInputs();
    const { 'drive-db-app': _database, ...rest } = inputs.referencedSecrets ?? {};
    const problems = renderDrive({
      ...inputs,
      referencedSecrets: { ...rest, media: { keys: ['AWS_ACCESS_KEY_ID'], resourceVersion: '1' } },
    }).secretProblems;
    expect(problems).toEqual({
      missingSecrets: ['drive-db-app'],
      missingKeys: [{ secret: 'media', key: 'AWS_SECRET_ACCESS_KEY' }],
    });
  });
});

describe('the /media route', () => {
  it('on Traefik: authorises, then rewrites to the bucket, then sends the Host Drive signed for', () => {
    const { objects, mediaAuth } = renderDrive(renderInputs());
    expect(mediaAuth).toBe('Gateway');
    const routes = find(objects, 'IngressRoute', 'drive-routes').spec.routes;
    const route = routes.find(
      (r: { match: string }) => r.match.includes('/media/`') && !r.match.includes('Method'),
    );
    expect(route.middlewares.map((m: { name: string }) => m.name)).toEqual([
      'drive-media-auth',
      'drive-media-path',
      'drive-media-upstream',
      'drive-media-download',
    ]);
    expect(route.services).toEqual([
      { name: 'drive-s3', port: 8080, scheme: 'http', passHostHeader: false },
    ]);
    expect(find(objects, 'Middleware', 'drive-media-auth').spec.forwardAuth).toMatchObject({
      address: 'http://drive-media-gateway.apps.svc.cluster.local:8080/auth',
      authResponseHeaders: ['Authorization', 'X-Amz-Date', 'X-Amz-Content-SHA256'],
      trustForwardHeader: false,
    });
    expect(find(objects, 'Middleware', 'drive-media-path').spec.replacePathRegex).toEqual({
      regex: '^/media/(preview/)?(.*)$',
      replacement: '/drive-media/$2',
    });
    expect(
      find(objects, 'Middleware', 'drive-media-upstream').spec.headers.customRequestHeaders,
    ).toEqual({
      Host: 'rook-ceph-rgw-store.rook-ceph.svc:8080',
      'X-Forwarded-Host': '',
      // Removed before S3: the session cookie and x-amz-* headers the signature does not cover.
      Cookie: '',
      'X-Amz-Security-Token': '',
      'X-Amz-Request-Payer': '',
      'X-Amz-Expected-Bucket-Owner': '',
      'X-Amz-Checksum-Mode': '',
      'X-Amz-Server-Side-Encryption-Customer-Algorithm': '',
      'X-Amz-Server-Side-Encryption-Customer-Key': '',
      'X-Amz-Server-Side-Encryption-Customer-Key-MD5': '',
    });
    expect(find(objects, 'Service', 'drive-s3').spec).toEqual({
      type: 'ExternalName',
      externalName: 'rook-ceph-rgw-store.rook-ceph.svc',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  });

  it('calls Drive directly, telling it to read X-Forwarded-Uri, when the gateway is disabled', () => {
    const { objects, mediaAuth } = renderDrive(
      renderInputs({ edge: { mediaGateway: 'Disabled' } }),
    );
    expect(mediaAuth).toBe('Direct');
    expect(objects.some((object) => object.metadata.name === 'drive-media-gateway')).toBe(false);
    expect(find(objects, 'ConfigMap', 'drive-env').data.MEDIA_AUTH_ORIGINAL_URL_HEADER).toBe(
      'HTTP_X_FORWARDED_URI',
    );
    expect(find(objects, 'Middleware', 'drive-media-auth').spec.forwardAuth.address).toBe(
      'http://drive-backend.apps.svc.cluster.local/api/v1.0/items/media-auth/',
    );
  });

  it('reaches an S3 endpoint given as an IP through an EndpointSlice', () => {
    const inputs = renderInputs();
    const { objects } = renderDrive({
      ...inputs,
      storage: { ...inputs.storage, internalEndpoint: 'http://10.0.0.7:7480' },
    });
    expect(find(objects, 'EndpointSlice', 'drive-s3')).toMatchObject({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.7'] }],
    });
    expect(find(objects, 'Service', 'drive-s3').spec.type).toBe('ClusterIP');
  });

  it('on ingress-nginx: auth_request to the API, rewrite to the bucket, upstream Host of the endpoint', () => {
    const { objects, mediaAuth } = renderDrive(renderInputs({ edge: EDGES.nginx }));
    expect(mediaAuth).toBe('NginxAuthRequest');
    expect(find(objects, 'Ingress', 'drive-media').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/auth-url':
        'http://drive-backend.apps.svc.cluster.local/api/v1.0/items/media-auth/',
      'nginx.ingress.kubernetes.io/auth-response-headers':
        'Authorization, X-Amz-Date, X-Amz-Content-SHA256',
      'nginx.ingress.kubernetes.io/upstream-vhost': 'rook-ceph-rgw-store.rook-ceph.svc:8080',
      'nginx.ingress.kubernetes.io/rewrite-target': '/drive-media/$1',
    });
  });

  it('on Traefik: sends a HEAD, authorised and rewritten alike, to the gateway as a GET to S3', () => {
    const { objects } = renderDrive(renderInputs());
    const route = find(objects, 'IngressRoute', 'drive-routes').spec.routes.find(
      (r: { match: string }) => r.match.includes('Method(`HEAD`)'),
    );
    expect(route).toEqual({
      kind: 'Rule',
      match: 'Host(`drive.example.com`) && PathPrefix(`/media/`) && Method(`HEAD`)',
      priority: 60,
      middlewares: [
        { name: 'drive-media-auth' },
        { name: 'drive-media-head-path' },
        { name: 'drive-media-upstream' },
      ],
      services: [{ name: 'drive-media-gateway', port: 8080 }],
    });
    expect(find(objects, 'Middleware', 'drive-media-head-path').spec).toEqual({
      replacePathRegex: {
        regex: '^/media/(preview/)?(.*)$',
        replacement: '/s3-head/drive-media/$2',
      },
    });
    const gateway = find(objects, 'Deployment', 'drive-media-gateway').spec.template.spec;
    expect(gateway.containers[0].env).toContainEqual({
      name: 'S3_UPSTREAM_URL',
      value: 'http://rook-ceph-rgw-store.rook-ceph.svc:8080',
    });
    // Without the gateway (Drive reads X-Forwarded-Uri itself) there is no bridge.
    const direct = renderDrive(
      renderInputs({ edge: { type: 'traefik', mediaGateway: 'Disabled' } }),
    );
    expect(
      find(direct.objects, 'IngressRoute', 'drive-routes').spec.routes.some(
        (r: { match: string }) => r.match.includes('Method'),
      ),
    ).toBe(false);
  });

  it('on Gateway API: the Traefik auth middleware first, then the standard rewrite', () => {
    const { objects } = renderDrive(renderInputs({ edge: EDGES.gateway }));
    const rules = find(objects, 'HTTPRoute', 'drive-routes').spec.rules;
    const rule = rules.find(
      (r: { matches: { path: { value: string }; method?: string }[] }) =>
        r.matches[0]?.path.value === '/media/' && r.matches[0].method === undefined,
    );
    const head = rules.find(
      (r: { matches: { path: { value: string }; method?: string }[] }) =>
        r.matches[0]?.path.value === '/media/' && r.matches[0].method === 'HEAD',
    );
    expect(head.filters[1].urlRewrite.path.replacePrefixMatch).toBe('/s3-head/drive-media/');
    expect(head.backendRefs).toEqual([{ name: 'drive-media-gateway', port: 8080 }]);
    expect(rule.filters.map((f: { type: string }) => f.type)).toEqual([
      'ExtensionRef',
      'URLRewrite',
      'ExtensionRef',
      'ResponseHeaderModifier',
    ]);
    expect(rule.filters[0].extensionRef).toEqual({
      group: 'traefik.io',
      kind: 'Middleware',
      name: 'drive-media-auth',
    });
  });
});

describe('render errors', () => {
  it('name the variable two sources set', () => {
    const inputs = renderInputs();
    inputs.instance.spec.extraEnv = [{ name: 'MEDIA_BASE_URL', value: 'https://elsewhere' }];
    expect(() => renderDrive(inputs)).toThrow(
      new RenderError(
        'MEDIA_BASE_URL is set twice: by the operator and by spec.extraEnv[MEDIA_BASE_URL]',
        'EnvConflict',
      ),
    );
  });
});

describe('schema validation', () => {
  it('catches an invalid object (the validator is not a no-op)', () => {
    const deployment = structuredClone(
      find(renderDrive(renderInputs()).objects, 'Deployment', 'drive-backend'),
    );
    deployment.spec.replicas = 'two';
    expect(schemaErrors(deployment as KubeObject)).toHaveLength(1);
  });
});

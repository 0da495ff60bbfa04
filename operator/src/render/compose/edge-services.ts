// The Compose edge: nginx (auth_request for /media) or Traefik (file provider, with the media
// gateway as ForwardAuth), both from the edge model, and the configuration files they mount.
import { stringify } from 'yaml';
import { nginxEdgeConfig, nginxMainConfig, NGINX_HEALTH_PATH } from '../edge/nginx-edge.js';
import type { RoutePlan } from '../edge/route-plan.js';
import { traefikRouting, type TraefikUpstream } from '../edge/traefik.js';
import { MEDIA_GATEWAY_IMAGE } from '../images.js';
import { MEDIA_GATEWAY_AUTH_PATH, MEDIA_GATEWAY_HEAD_PREFIX } from '../media-gateway.js';
import { PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import {
  dependsOn,
  HARDENED,
  healthcheck,
  httpHealthcheck,
  LONG_RUNNING,
  type ComposeService,
  type Dependency,
  type ServiceDefinition,
} from './compose-service.js';
import { composeMediaAuthMode } from './drive-environment.js';
import { publicHosts, type EdgeModel } from './edge-model.js';

// Inside the container: the ports the edge listens on (Docker publishes them on the host ports of
// the ComposeProject), and where its files are mounted.
const HTTP_PORT = 80;
const HTTPS_PORT = 443;
const TRAEFIK_PING_PORT = 8082;
const NGINX_CERTS = '/etc/nginx/certs';
const TRAEFIK_CERTS = '/etc/traefik/certs';

export const EDGE_FILES = {
  nginxMain: 'compose/nginx/nginx.conf',
  nginxSites: 'compose/nginx/drive.conf',
  traefikStatic: 'compose/traefik/traefik.yml',
  traefikDynamic: 'compose/traefik/dynamic/drive.yml',
} as const;

export interface EdgeOutput {
  services: ComposeService[];
  files: Map<string, string>;
}

const YAML_HEADER =
  '# Rendered by lasuitectl compose; do not edit: change the resources and render again.\n';

function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':'));
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** What the edge waits for, restarted when Compose recreates them (nginx resolves names once). */
function edgeDependencies(context: ComposeContext, model: EdgeModel): Dependency[] {
  const { project } = context.resources;
  return [
    { service: SERVICES.backend, condition: 'service_healthy', restart: true },
    { service: SERVICES.frontend, condition: 'service_healthy', restart: true },
    ...model.editors.map((editor): Dependency => ({
      service: editor.name,
      condition: 'service_started',
      restart: true,
    })),
    ...(model.mounts === undefined
      ? []
      : [{ service: SERVICES.mounts, condition: 'service_started' as const, restart: true }]),
    ...(context.seaweedfs
      ? [{ service: SERVICES.seaweedfs, condition: 'service_healthy' as const, restart: true }]
      : []),
    ...(project.spec.keycloak
      ? [{ service: SERVICES.keycloak, condition: 'service_started' as const, restart: true }]
      : []),
  ];
}

/** Ports, certificate files, the names other containers reach the edge by, dependencies. */
function edgeBase(
  context: ComposeContext,
  model: EdgeModel,
  certificates: string,
): ServiceDefinition {
  const { project } = context.resources;
  const { publish } = project.spec.edge;
  const bind = publish.address === undefined ? '' : `${publish.address}:`;
  return {
    ports: [
      `${bind}${String(publish.http)}:${String(HTTP_PORT)}`,
      `${bind}${String(publish.https)}:${String(HTTPS_PORT)}`,
    ],
    // Collabora calls Drive, and Drive's worker the IdP, by their public names: inside the
    // project these names lead to the edge too.
    ...(context.split ? {} : { networks: { default: { aliases: publicHosts(model) } } }),
    volumes: [
      `${project.spec.tls.certificateFile}:${certificates}/tls.crt:ro`,
      `${project.spec.tls.keyFile}:${certificates}/tls.key:ro`,
    ],
    security_opt: ['no-new-privileges:true'],
    ...LONG_RUNNING,
    ...dependsOn(context.split ? [] : edgeDependencies(context, model)),
  };
}

function nginxEdge(context: ComposeContext, model: EdgeModel): EdgeOutput {
  const base = edgeBase(context, model, NGINX_CERTS);
  const sites = nginxEdgeConfig({
    listen: { http: HTTP_PORT, https: HTTPS_PORT },
    publicHttpsPort: context.resources.project.spec.edge.publish.https,
    tls: { certificate: `${NGINX_CERTS}/tls.crt`, key: `${NGINX_CERTS}/tls.key` },
    drive: {
      host: model.driveHost,
      backend: `http://${model.backend}`,
      frontend: `http://${model.frontend}`,
      mediaAuthUrl: `http://${model.backend}/api/v1.0/items/media-auth/`,
      s3: { url: model.s3Url, signedHost: new URL(model.s3Url).host },
      bucket: model.bucket,
      maxBodySize: model.maxBodySize,
      ...(model.mounts === undefined ? {} : { mounts: `http://${model.mounts}` }),
    },
    editors: model.editors.map((editor) => ({
      host: editor.host,
      upstream: `http://${editor.address}`,
    })),
    proxied: model.proxied.map((entry) => ({ ...entry, upstream: `http://${entry.address}` })),
  });
  const include = '/etc/nginx/lasuite/drive.conf';
  return {
    files: new Map([
      [EDGE_FILES.nginxMain, nginxMainConfig('/etc/nginx/lasuite/*.conf')],
      [EDGE_FILES.nginxSites, sites],
    ]),
    services: [
      {
        name: SERVICES.edge,
        role: 'edge',
        definition: {
          image: context.resources.project.spec.images.nginx,
          ...base,
          volumes: [
            `./${EDGE_FILES.nginxMain}:/etc/nginx/nginx.conf:ro`,
            `./${EDGE_FILES.nginxSites}:${include}:ro`,
            ...(base.volumes as string[]),
          ],
          read_only: true,
          tmpfs: ['/var/cache/nginx', '/var/run'],
          ...healthcheck(httpHealthcheck(`http://127.0.0.1${NGINX_HEALTH_PATH}`)),
        },
      },
    ],
  };
}

function traefikUrl(upstream: TraefikUpstream): string {
  return `${upstream.scheme ?? 'http'}://${upstream.name}:${String(upstream.port)}`;
}

function traefikDynamicConfig(
  context: ComposeContext,
  model: EdgeModel,
  gateway: boolean,
): Record<string, unknown> {
  const { drive } = context.resources;
  const s3 = new URL(model.s3Url);
  const scheme = s3.protocol === 'https:' ? 'https' : 'http';
  const plan: RoutePlan = {
    owner: { name: drive.name, namespace: context.resources.project.name },
    spec: drive.spec,
    host: model.driveHost,
    tlsSecret: '',
    backend: { service: hostOf(model.backend), port: portOf(model.backend) },
    frontend: { service: hostOf(model.frontend), port: portOf(model.frontend) },
    media: {
      bucket: model.bucket,
      upstream: {
        service: s3.hostname,
        port: s3.port === '' ? (scheme === 'https' ? 443 : 80) : Number(s3.port),
        scheme,
        signedHost: s3.host,
      },
      mode: gateway ? 'Gateway' : 'Direct',
      authUrl: gateway
        ? `http://${SERVICES.mediaGateway}:${String(PORTS.mediaGateway)}${MEDIA_GATEWAY_AUTH_PATH}`
        : `http://${model.backend}/api/v1.0/items/media-auth/`,
      ...(gateway
        ? {
            headBridge: {
              service: SERVICES.mediaGateway,
              port: PORTS.mediaGateway,
              prefix: MEDIA_GATEWAY_HEAD_PREFIX,
            },
          }
        : {}),
    },
    ...(model.mounts === undefined
      ? {}
      : { mounts: { service: hostOf(model.mounts), port: portOf(model.mounts) } }),
    editors: model.editors.map((editor) => ({
      name: editor.name,
      host: editor.host,
      service: hostOf(editor.address),
      port: portOf(editor.address),
      replicas: editor.replicas,
    })),
  };
  const { middlewares, routes } = traefikRouting(plan);
  const name = (part: string) => `${drive.name}-${part}`;
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  const route = (
    key: string,
    rule: string,
    priority: number,
    upstream: TraefikUpstream,
    chain: string[],
  ) => {
    routers[key] = {
      rule,
      priority,
      entryPoints: ['websecure'],
      ...(chain.length === 0 ? {} : { middlewares: chain }),
      service: key,
      tls: {},
    };
    services[key] = {
      loadBalancer: {
        servers: [{ url: traefikUrl(upstream) }],
        ...(upstream.passHostHeader === undefined
          ? {}
          : { passHostHeader: upstream.passHostHeader }),
        ...(upstream.sticky === undefined ? {} : { sticky: upstream.sticky }),
      },
    };
  };
  for (const entry of routes)
    route(
      name(entry.name),
      entry.match,
      entry.priority,
      entry.upstream,
      entry.middlewares.map(name),
    );
  for (const entry of model.proxied)
    route(
      `${entry.kind === 's3' ? 's3' : 'idp'}-${entry.host.replaceAll('.', '-')}`,
      `Host(\`${entry.host}\`)`,
      10,
      { name: hostOf(entry.address), port: portOf(entry.address) },
      [],
    );
  const certificate = {
    certFile: `${TRAEFIK_CERTS}/tls.crt`,
    keyFile: `${TRAEFIK_CERTS}/tls.key`,
  };
  return {
    http: {
      routers,
      middlewares: Object.fromEntries(middlewares.map((entry) => [name(entry.part), entry.spec])),
      services,
    },
    tls: { certificates: [certificate], stores: { default: { defaultCertificate: certificate } } },
  };
}

function traefikStaticConfig(context: ComposeContext): Record<string, unknown> {
  const https = context.resources.project.spec.edge.publish.https;
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: {
      web: {
        address: `:${String(HTTP_PORT)}`,
        http: {
          redirections: {
            entryPoint: {
              to: https === HTTPS_PORT ? 'websecure' : `:${String(https)}`,
              scheme: 'https',
            },
          },
        },
      },
      websecure: {
        address: `:${String(HTTPS_PORT)}`,
        // Traefik v3 stops reading a request after 60 s by default: a presigned upload of a large
        // file takes longer.
        transport: { respondingTimeouts: { readTimeout: '0s', idleTimeout: '180s' } },
      },
      ping: { address: `:${String(TRAEFIK_PING_PORT)}` },
    },
    ping: { entryPoint: 'ping' },
    providers: { file: { directory: '/etc/traefik/dynamic', watch: true } },
    log: { level: 'INFO' },
    accessLog: {},
  };
}

/** ForwardAuth target that gives Drive the X-Original-URL it reads (services/media-gateway). */
function mediaGateway(context: ComposeContext, model: EdgeModel): ComposeService {
  const { drive } = context.resources;
  const port = String(PORTS.mediaGateway);
  return {
    name: SERVICES.mediaGateway,
    role: 'edge',
    definition: {
      image: drive.spec.images?.mediaGateway ?? MEDIA_GATEWAY_IMAGE,
      environment: {
        DRIVE_MEDIA_AUTH_URL: `http://${model.backend}/api/v1.0/items/media-auth/`,
        PUBLIC_HOST: model.driveHost,
        // The HEAD bridge reaches S3 where Drive does.
        S3_UPSTREAM_URL: model.s3Url,
        PORT: port,
      },
      ...HARDENED,
      ...LONG_RUNNING,
      // The image has Node and nothing else to ask an HTTP question with.
      ...healthcheck([
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${port}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ]),
    },
  };
}

function traefikEdge(context: ComposeContext, model: EdgeModel): EdgeOutput {
  const gateway = composeMediaAuthMode(context) === 'Gateway';
  const base = edgeBase(context, model, TRAEFIK_CERTS);
  const services: ComposeService[] = [
    {
      name: SERVICES.edge,
      role: 'edge',
      definition: {
        image: context.resources.project.spec.images.traefik,
        command: ['traefik', '--configFile=/etc/traefik/traefik.yml'],
        ...base,
        volumes: [
          `./${EDGE_FILES.traefikStatic}:/etc/traefik/traefik.yml:ro`,
          `./${EDGE_FILES.traefikDynamic}:/etc/traefik/dynamic/drive.yml:ro`,
          ...(base.volumes as string[]),
        ],
        read_only: true,
        ...(gateway && !context.split
          ? {
              depends_on: {
                ...(base.depends_on as Record<string, unknown>),
                [SERVICES.mediaGateway]: { condition: 'service_healthy' },
              },
            }
          : {}),
        ...healthcheck(['CMD', 'traefik', 'healthcheck', '--configFile=/etc/traefik/traefik.yml']),
      },
    },
  ];
  if (gateway) services.push(mediaGateway(context, model));
  return {
    services,
    files: new Map([
      [
        EDGE_FILES.traefikStatic,
        YAML_HEADER + stringify(traefikStaticConfig(context), { lineWidth: 0 }),
      ],
      [
        EDGE_FILES.traefikDynamic,
        YAML_HEADER + stringify(traefikDynamicConfig(context, model, gateway), { lineWidth: 0 }),
      ],
    ]),
  };
}

export function edgeServices(context: ComposeContext, model: EdgeModel): EdgeOutput {
  return context.resources.project.spec.edge.type === 'nginx'
    ? nginxEdge(context, model)
    : traefikEdge(context, model);
}

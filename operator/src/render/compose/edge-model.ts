// What the Compose edge serves, whichever proxy serves it: the Drive host, a managed Collabora's
// paths, and the hosts of services the project runs itself (SeaweedFS's public S3 endpoint,
// Keycloak). Every host is HTTPS with the project's one certificate.
import { PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import { ComposeError } from './compose-resources.js';

export interface EdgeUpstream {
  /** host:port, as the edge reaches it. */
  address: string;
}

export interface EdgeModel {
  driveHost: string;
  backend: string;
  frontend: string;
  /** Drive's internal S3 endpoint, which /media is signed for. */
  s3Url: string;
  bucket: string;
  maxBodySize: number;
  editors: { name: string; host: string; address: string; replicas: number }[];
  /** The SMB mounts service, when the Drive has mounts. */
  mounts?: string;
  proxied: { host: string; address: string; kind: 's3' | 'app'; maxBodySize: number }[];
}

/** The host a public https:// URL names, when the edge must serve it. */
function servedHost(
  context: ComposeContext,
  url: string,
  where: { kind: string; name: string; path: (string | number)[] },
): string {
  const parsed = new URL(url);
  const https = context.resources.project.spec.edge.publish.https;
  if (parsed.protocol !== 'https:' || (parsed.port !== '' && Number(parsed.port) !== https)) {
    throw new ComposeError(
      where.kind,
      where.name,
      where.path,
      `${url} is served by the project's edge, which listens for HTTPS on port ${String(https)}`,
      `use https://${parsed.hostname}${https === 443 ? '' : `:${String(https)}`}`,
    );
  }
  return parsed.hostname;
}

export function edgeModel(context: ComposeContext): EdgeModel {
  const { drive, storage, identity, editors, project } = context.resources;
  const at = (service: string, port: number) => context.endpoint('edge', service, port);
  const proxied: EdgeModel['proxied'] = [];
  if (context.seaweedfs) {
    proxied.push({
      host: servedHost(context, storage.s3.endpoints.public, {
        kind: 'StorageMount',
        name: storage.name,
        path: ['spec', 's3', 'endpoints', 'public'],
      }),
      address: at(SERVICES.seaweedfs, context.seaweedfs.port),
      kind: 's3',
      // Browsers upload whole files with one presigned PUT.
      maxBodySize: drive.spec.upload.maxFileSizeBytes,
    });
  }
  const keycloak = identity.spec.credentials.keycloak;
  if (keycloak && project.spec.keycloak) {
    proxied.push({
      host: servedHost(context, keycloak.url, {
        kind: 'OidcClient',
        name: identity.name,
        path: ['spec', 'credentials', 'keycloak', 'url'],
      }),
      address: at(SERVICES.keycloak, PORTS.keycloak),
      kind: 'app',
      maxBodySize: 1024 * 1024,
    });
  }
  const model: EdgeModel = {
    driveHost: drive.spec.host,
    backend: at(SERVICES.backend, PORTS.backend),
    frontend: at(SERVICES.frontend, PORTS.frontend),
    s3Url: (storage.s3.endpoints.internal ?? '').replace(/\/$/, ''),
    bucket: storage.s3.bucket.name,
    maxBodySize: drive.spec.upload.maxFileSizeBytes,
    editors: editors.flatMap((editor) =>
      editor.spec.managed
        ? [
            {
              name: editor.name,
              host: editor.spec.managed.host ?? drive.spec.host,
              address: at(editor.name, PORTS.collabora),
              replicas: editor.spec.managed.replicas,
            },
          ]
        : [],
    ),
    proxied,
    ...(context.resources.smbMounts.length > 0
      ? { mounts: at(SERVICES.mounts, PORTS.mounts) }
      : {}),
  };
  const hosts = [model.driveHost, ...proxied.map((entry) => entry.host)];
  const duplicate = hosts.find((host, index) => hosts.indexOf(host) !== index);
  if (duplicate !== undefined) {
    throw new ComposeError(
      'DriveInstance',
      drive.name,
      ['spec', 'host'],
      `${duplicate} is used for two services of the project (Drive, the S3 public endpoint, Keycloak)`,
      'give each its own host name',
    );
  }
  return model;
}

/** Every name the edge answers for: the certificate must cover them, DNS must point them here. */
export function publicHosts(model: EdgeModel): string[] {
  return [
    ...new Set([
      model.driveHost,
      ...model.editors.map((editor) => editor.host),
      ...model.proxied.map((entry) => entry.host),
    ]),
  ];
}

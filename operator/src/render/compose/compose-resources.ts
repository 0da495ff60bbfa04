// The resources one Compose project is rendered from. A cluster resolves references at run time;
// a Compose project has only the files it was given, so every reference must be among them, and
// what only a cluster can do (Rook, RGW users, dynamic registration, the Keycloak admin API) is
// refused here with the Compose way of doing it.
import { composeProjectSpec, type ComposeProjectSpec } from '../../api/compose-project.js';
import type { DriveInstanceSpec } from '../../api/drive-instance.js';
import type { OidcClientSpec } from '../../api/oidc-client.js';
import type { StorageMountSpec } from '../../api/storage-mount.js';
import type { WopiClientSpec } from '../../api/wopi-client.js';
import type { ResolvedSmbMount } from '../smb-mounts.js';

export interface NamedSpec<Spec> {
  name: string;
  spec: Spec;
}

export interface ComposeResources {
  project: NamedSpec<ComposeProjectSpec>;
  drive: NamedSpec<DriveInstanceSpec>;
  storage: NamedSpec<StorageMountSpec> & { s3: NonNullable<StorageMountSpec['s3']> };
  identity: NamedSpec<OidcClientSpec>;
  editors: NamedSpec<WopiClientSpec>[];
  /** SMB mounts of the DriveInstance, served by services/smb-mount under /mounts/. */
  smbMounts: ResolvedSmbMount[];
}

/** A resource as the manifests loader validated it (schema defaults applied). */
export interface GivenResource {
  kind: string;
  name: string;
  spec: unknown;
}

/** Bad input for Compose: which resource and field, the value, and how to fix it. */
export class ComposeError extends Error {
  override name = 'ComposeError';
  constructor(
    readonly kind: string,
    readonly resource: string,
    /** Field path inside the resource, e.g. ['spec', 's3', 'provider']. */
    readonly path: (string | number)[],
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The project's name when no ComposeProject is given: what `docker compose ls` shows. */
export const DEFAULT_PROJECT_NAME = 'lasuite-drive';

function byKind(resources: readonly GivenResource[], kind: string): GivenResource[] {
  return resources.filter((resource) => resource.kind === kind);
}

function single(
  resources: readonly GivenResource[],
  kind: string,
  why: string,
): GivenResource | undefined {
  const found = byKind(resources, kind);
  const [first, second] = found;
  if (second && first) {
    throw new ComposeError(
      kind,
      second.name,
      ['metadata', 'name'],
      `${kind}s ${first.name} and ${second.name} are both given; ${why}`,
      'render each one with its own files, into its own output directory',
    );
  }
  return first;
}

function referenced<Spec>(
  resources: readonly GivenResource[],
  kind: string,
  name: string,
  from: { kind: string; name: string; path: (string | number)[] },
): NamedSpec<Spec> {
  const found = resources.find((resource) => resource.kind === kind && resource.name === name);
  if (!found) {
    throw new ComposeError(
      from.kind,
      from.name,
      from.path,
      `${kind} ${name} is not among the given files`,
      `a Compose project is rendered from its files alone: add the ${kind} to the files given to lasuitectl compose`,
    );
  }
  return { name, spec: found.spec as Spec };
}

function checkStorage(storage: NamedSpec<StorageMountSpec>) {
  const s3 = storage.spec.s3;
  if (!s3) {
    throw new ComposeError(
      'StorageMount',
      storage.name,
      ['spec', 'type'],
      `StorageMount ${storage.name} has type ${storage.spec.type}; Drive's storage must be s3`,
    );
  }
  if (s3.provider === 'rook' || s3.provider === 'rgw') {
    throw new ComposeError(
      'StorageMount',
      storage.name,
      ['spec', 's3', 'provider'],
      `provider ${s3.provider} needs the operator in a Kubernetes cluster; Compose cannot create ${s3.provider === 'rook' ? 'ObjectBucketClaims' : 'RGW users'}`,
      'use provider seaweedfs (SeaweedFS runs in the project) or external (any S3 store, with credentials in .env)',
    );
  }
  return { ...storage, s3 };
}

function checkIdentity(identity: NamedSpec<OidcClientSpec>, project: ComposeProjectSpec) {
  const { credentials } = identity.spec;
  const where = ['spec', 'credentials'];
  if (credentials.dynamicRegistration) {
    throw new ComposeError(
      'OidcClient',
      identity.name,
      [...where, 'dynamicRegistration'],
      'dynamic registration is done by the operator in a cluster; a Compose project cannot register a client',
      'register the client at your IdP and use credentials.secretRef; its id and secret go into .env',
    );
  }
  if (credentials.keycloak && !project.keycloak) {
    throw new ComposeError(
      'OidcClient',
      identity.name,
      [...where, 'keycloak'],
      'credentials.keycloak creates the client through the Keycloak admin API, which only the operator does',
      'for a dev Keycloak run by the project, set spec.keycloak in the ComposeProject (target dev); for your own IdP, use credentials.secretRef',
    );
  }
  if (project.keycloak && !credentials.keycloak) {
    throw new ComposeError(
      'OidcClient',
      identity.name,
      where,
      "the ComposeProject runs Keycloak, but this OidcClient's credentials do not say so",
      'use credentials.keycloak with the url and realm of the issuer, so the realm is imported with this client',
    );
  }
  if (credentials.keycloak) {
    const issuer = `${credentials.keycloak.url.replace(/\/$/, '')}/realms/${credentials.keycloak.realm}`;
    if (identity.spec.issuer.replace(/\/$/, '') !== issuer) {
      throw new ComposeError(
        'OidcClient',
        identity.name,
        ['spec', 'issuer'],
        `the issuer of a Keycloak realm is <url>/realms/<realm>, ${issuer} here`,
        `set spec.issuer to ${issuer}, or credentials.keycloak to match the issuer`,
      );
    }
    if (!issuer.startsWith('https://')) {
      throw new ComposeError(
        'OidcClient',
        identity.name,
        ['spec', 'credentials', 'keycloak', 'url'],
        'the project Keycloak is served by the edge, which speaks HTTPS only',
        'use an https:// url with a host of its own, e.g. https://auth.dev.lan',
      );
    }
  }
}

/** Picks the one DriveInstance and everything it references; throws ComposeError on bad input. */
export function composeResources(resources: readonly GivenResource[]): ComposeResources {
  const driveResource = single(resources, 'DriveInstance', 'a Compose project holds one Drive');
  if (!driveResource) {
    throw new ComposeError(
      'DriveInstance',
      '(none)',
      [],
      'no DriveInstance among the given files; nothing to render',
      'give the directory or files that hold the DriveInstance and what it references',
    );
  }
  const drive: NamedSpec<DriveInstanceSpec> = {
    name: driveResource.name,
    spec: driveResource.spec as DriveInstanceSpec,
  };
  const given = single(resources, 'ComposeProject', 'a project is rendered from one');
  const project: NamedSpec<ComposeProjectSpec> = given
    ? { name: given.name, spec: given.spec as ComposeProjectSpec }
    : { name: DEFAULT_PROJECT_NAME, spec: composeProjectSpec.parse({}) };
  const from = (path: (string | number)[]) => ({ kind: 'DriveInstance', name: drive.name, path });
  const storage = checkStorage(
    referenced<StorageMountSpec>(
      resources,
      'StorageMount',
      drive.spec.storageRef.name,
      from(['spec', 'storageRef', 'name']),
    ),
  );
  const identity = referenced<OidcClientSpec>(
    resources,
    'OidcClient',
    drive.spec.oidcClientRef.name,
    from(['spec', 'oidcClientRef', 'name']),
  );
  checkIdentity(identity, project.spec);
  const editors = drive.spec.wopiClientRefs.map((ref, index) =>
    referenced<WopiClientSpec>(
      resources,
      'WopiClient',
      ref.name,
      from(['spec', 'wopiClientRefs', index, 'name']),
    ),
  );
  const smbMounts = drive.spec.mounts.map((mount, index): ResolvedSmbMount => {
    const path = ['spec', 'mounts', index, 'name'];
    const found = referenced<StorageMountSpec>(resources, 'StorageMount', mount.name, from(path));
    if (!found.spec.smb)
      throw new ComposeError(
        'DriveInstance',
        drive.name,
        path,
        `StorageMount ${mount.name} has type ${found.spec.type}, but spec.mounts lists SMB mounts`,
        'the S3 StorageMount goes in spec.storageRef',
      );
    return { name: mount.name, smb: found.spec.smb };
  });
  return { project, drive, storage, identity, editors, smbMounts };
}

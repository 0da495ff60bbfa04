// Offline rendering has no cluster to ask: what only a live system knows (discovered OIDC
// endpoints, an ObjectBucketClaim's endpoint, resources not among the given files) becomes a
// placeholder that says where the operator takes it from. Placeholder URLs use the reserved
// `.invalid` top-level domain so they can never resolve.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { OidcClientSpec } from '../api/oidc-client.js';
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { WopiClientSpec } from '../api/wopi-client.js';
import type {
  DriveEnvInputs,
  ResolvedEditor,
  ResolvedIdentity,
  ResolvedStorage,
} from '../contract/drive-env.js';
import type { ValidResource } from '../manifests/validate-resources.js';
import { backendServiceHosts } from '../render/object-names.js';
import {
  djangoSecretKey,
  redisUrl,
  resolveDatabase,
  resolveEditor,
  resolveIdentity,
  resolveStorage,
} from '../render/resolve-references.js';

export const PLACEHOLDER_MARK = 'resolved-at-runtime';

export interface OfflineInputs {
  inputs: DriveEnvInputs;
  /** One line per placeholder: what it stands for. */
  placeholders: string[];
}

function placeholderUrl(what: string): string {
  return `http://${what}.${PLACEHOLDER_MARK}.invalid`;
}

function placeholderText(what: string): string {
  return `(${PLACEHOLDER_MARK}: ${what})`;
}

function findSpec(
  resources: readonly ValidResource[],
  kind: string,
  namespace: string | undefined,
  name: string,
): unknown {
  const match = resources.find(
    (resource) =>
      resource.object.kind === kind &&
      resource.object.metadata.name === name &&
      resource.object.metadata.namespace === namespace,
  );
  return match?.object.spec;
}

function storage(
  name: string,
  spec: StorageMountSpec | undefined,
  placeholders: string[],
): ResolvedStorage {
  if (!spec?.s3) {
    placeholders.push(
      `StorageMount ${name} was not given: bucket, endpoints and credentials are placeholders`,
    );
    const missing = `storagemount-${name}`;
    return {
      bucket: placeholderText(`bucket of StorageMount ${name}`),
      region: placeholderText(`region of StorageMount ${name}`),
      internalEndpoint: placeholderUrl(`${missing}-internal`),
      publicEndpoint: placeholderUrl(`${missing}-public`),
      accessKeyId: { name: `${missing}-credentials`, key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: `${missing}-credentials`, key: 'AWS_SECRET_ACCESS_KEY' },
    };
  }
  let internalEndpoint: string | undefined;
  if (spec.s3.endpoints.internal === undefined) {
    internalEndpoint = placeholderUrl(`objectbucketclaim-${name}`);
    placeholders.push(
      `AWS_S3_ENDPOINT_URL comes from ObjectBucketClaim ${name} (BUCKET_HOST, BUCKET_PORT)`,
    );
  }
  return resolveStorage(name, spec.s3, { internalEndpoint });
}

function identity(
  name: string,
  spec: OidcClientSpec | undefined,
  placeholders: string[],
): ResolvedIdentity {
  const issuer = spec?.issuer ?? placeholderText(`issuer of OidcClient ${name}`);
  const discovered = (field: string) =>
    placeholderText(`${field} from ${issuer}/.well-known/openid-configuration`);
  placeholders.push(`OIDC_OP_* endpoints come from the discovery document of ${issuer}`);
  const endpoints = {
    authorization: discovered('authorization_endpoint'),
    token: discovered('token_endpoint'),
    userinfo: discovered('userinfo_endpoint'),
    jwks: discovered('jwks_uri'),
    endSession: discovered('end_session_endpoint'),
    introspection: discovered('introspection_endpoint'),
  };
  if (spec) return resolveIdentity(name, spec, endpoints);
  placeholders.push(`OidcClient ${name} was not given: client credentials are placeholders`);
  const secret = `oidcclient-${name}-credentials`;
  return {
    issuer,
    endpoints,
    clientId: { secretKeyRef: { name: secret, key: 'client_id' } },
    clientSecret: { name: secret, key: 'client_secret' },
    scopes: ['openid', 'email', 'profile'],
    storeClaims: [],
    userInfo: { fullNameFields: ['given_name', 'family_name'], shortNameField: 'given_name' },
  };
}

function editor(
  name: string,
  namespace: string,
  spec: WopiClientSpec | undefined,
  placeholders: string[],
): ResolvedEditor {
  if (!spec) {
    placeholders.push(`WopiClient ${name} was not given: its discovery URL is a placeholder`);
    return {
      clientName: name.replaceAll('-', '_'),
      discoveryUrl: placeholderUrl(`wopiclient-${name}`),
      options: {},
    };
  }
  if (spec.external) return resolveEditor(spec, spec.external.discoveryUrl);
  placeholders.push(
    `WopiClient ${name} is managed: its discovery URL is the Collabora Service the operator creates`,
  );
  return resolveEditor(spec, placeholderUrl(`collabora-${name}.${namespace}`));
}

export function offlineInputs(
  drive: ValidResource,
  resources: readonly ValidResource[],
  defaultNamespace: string,
): OfflineInputs {
  const spec = drive.object.spec as DriveInstanceSpec;
  const { name, namespace } = drive.object.metadata;
  const placeholders: string[] = [];
  const lookup = (kind: string, target: string) => findSpec(resources, kind, namespace, target);
  const effectiveNamespace = namespace ?? defaultNamespace;
  return {
    inputs: {
      spec,
      storage: storage(
        spec.storageRef.name,
        lookup('StorageMount', spec.storageRef.name) as StorageMountSpec | undefined,
        placeholders,
      ),
      identity: identity(
        spec.oidcClientRef.name,
        lookup('OidcClient', spec.oidcClientRef.name) as OidcClientSpec | undefined,
        placeholders,
      ),
      editors: spec.wopiClientRefs.map((ref) =>
        editor(
          ref.name,
          effectiveNamespace,
          lookup('WopiClient', ref.name) as WopiClientSpec | undefined,
          placeholders,
        ),
      ),
      database: resolveDatabase(name, spec.database),
      redisUrl: redisUrl(name, spec.redis),
      djangoSecretKey: djangoSecretKey(name),
      topology: {
        internalBackendHosts: backendServiceHosts(name, effectiveNamespace),
        wopiSrcBaseUrl: `https://${spec.host}`,
      },
    },
    placeholders,
  };
}

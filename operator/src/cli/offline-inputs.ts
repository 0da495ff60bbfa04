// Offline rendering has no cluster to ask: what only a live system knows (discovered OIDC
// endpoints, an ObjectBucketClaim's endpoint, resources not among the given files) becomes a
// placeholder that says where the operator takes it from. Placeholder URLs use the reserved
// `.invalid` top-level domain so they can never resolve.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { OidcClientSpec } from '../api/oidc-client.js';
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { WopiClientSpec } from '../api/wopi-client.js';
import type { ResolvedIdentity, ResolvedStorage } from '../contract/drive-env.js';
import type { ValidResource } from '../manifests/validate-resources.js';
import type { DriveRenderInputs, ResolvedEditorRoute } from '../render/drive-inputs.js';
import { MEDIA_GATEWAY_IMAGE } from '../render/images.js';
import type { ResolvedSmbMount } from '../render/smb-mounts.js';
import {
  managedEditorRoute,
  resolveEditor,
  resolveIdentity,
  resolveStorage,
} from '../render/resolve-references.js';

export const PLACEHOLDER_MARK = 'resolved-at-runtime';

export interface OfflineInputs {
  inputs: DriveRenderInputs;
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
      bucket: 'resolved-at-runtime',
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
): ResolvedEditorRoute {
  if (!spec) {
    placeholders.push(`WopiClient ${name} was not given: its discovery URL is a placeholder`);
    return {
      clientName: name.replaceAll('-', '_'),
      discoveryUrl: placeholderUrl(`wopiclient-${name}`),
      options: {},
    };
  }
  return spec.external
    ? resolveEditor(spec, spec.external.discoveryUrl)
    : managedEditorRoute(name, namespace, spec);
}

function smbMount(
  name: string,
  spec: StorageMountSpec | undefined,
  placeholders: string[],
): ResolvedSmbMount {
  if (spec?.smb) return { name, smb: spec.smb };
  placeholders.push(
    `StorageMount ${name} (smb) was not given: its share and credentials are placeholders`,
  );
  return {
    name,
    smb: {
      host: `storagemount-${name}.${PLACEHOLDER_MARK}.invalid`,
      port: 445,
      share: PLACEHOLDER_MARK,
      path: '/',
      credentialsSecretRef: {
        name: `storagemount-${name}-credentials`,
        usernameKey: 'username',
        passwordKey: 'password',
      },
      roles: [],
      security: { signing: 'Required', encryption: 'Auto', minProtocol: 'SMB3_00' },
    },
  };
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
  const annotations =
    (drive.object.metadata as { annotations?: Record<string, string> }).annotations ?? {};
  placeholders.push(
    'generated Secrets (DJANGO_SECRET_KEY, the Redis password) are created in the cluster by the operator and not printed',
  );
  placeholders.push('owner references need the DriveInstance UID and are added by the operator');
  return {
    inputs: {
      // No UID: rendered objects get no owner reference, which the operator adds in the cluster.
      instance: { name, namespace: effectiveNamespace, spec, annotations },
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
      mounts: spec.mounts.map((mount) =>
        smbMount(
          mount.name,
          lookup('StorageMount', mount.name) as StorageMountSpec | undefined,
          placeholders,
        ),
      ),
      existingSecrets: {},
      mediaGatewayImage: MEDIA_GATEWAY_IMAGE,
      randomValue: () => PLACEHOLDER_MARK,
    },
    placeholders,
  };
}

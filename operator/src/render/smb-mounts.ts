// The SMB mounts of a Drive (services/smb-mount): one service for all of them, under /mounts/ on
// the Drive host. Its environment is a contract like Drive's: one function writes it, the cluster
// renders it into the Deployment and Compose into a service, so both give the service the same
// settings. Secrets stay references (Secret keys in a cluster, .env variables in Compose).
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { StorageMountSpec } from '../api/storage-mount.js';
import type {
  DriveEnvVar,
  EnvSource,
  KeyRef,
  ResolvedEditor,
  ResolvedIdentity,
} from '../contract/drive-env.js';
import { childMeta, selectorLabels, type OwnerInstance } from './labels.js';
import { objectNames } from './object-names.js';
import { containerSecurityContext, podBasics, TMP_MOUNT, TMP_VOLUME } from './pod-security.js';
import { RESOURCE_DEFAULTS } from './resource-defaults.js';
import { disruptionBudget, service } from './workloads.js';

export type SmbSpec = NonNullable<StorageMountSpec['smb']>;

export interface ResolvedSmbMount {
  /** The StorageMount's name: the mount's path segment under /mounts/. */
  name: string;
  smb: SmbSpec;
}

// Not 8080: in a split Compose layout the frontend publishes that port on the same VM.
export const SMB_MOUNT_PORT = 8090;

/** Keys of the Secret the operator generates for the mounts service. */
export const SMB_MOUNT_SECRET_KEYS = {
  session: 'SESSION_SECRET',
  shareLinks: 'SHARE_LINK_SECRET',
  wopiTokens: 'WOPI_TOKEN_SECRET',
} as const;

export interface SmbMountsInputs {
  drive: string;
  spec: DriveInstanceSpec;
  mounts: readonly ResolvedSmbMount[];
  identity: ResolvedIdentity;
  redisUrl: KeyRef;
  editors: readonly ResolvedEditor[];
}

export class SmbMountEnvError extends Error {
  override name = 'SmbMountEnvError';
}

/** `SMB_<MOUNT>_<FIELD>`: the variable holding one credential of one mount. */
export function mountCredentialVariable(mount: string, field: 'USERNAME' | 'PASSWORD'): string {
  return `SMB_${mount.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${field}`;
}

/** What the service is told about each mount; credentials travel as separate variables. */
function mountDescription(mount: ResolvedSmbMount) {
  const { smb } = mount;
  return {
    name: mount.name,
    host: smb.host,
    port: smb.port,
    share: smb.share,
    path: smb.path,
    ...(smb.domain === undefined ? {} : { domain: smb.domain }),
    security: smb.security,
    roles: smb.roles,
    usernameVariable: mountCredentialVariable(mount.name, 'USERNAME'),
    passwordVariable: mountCredentialVariable(mount.name, 'PASSWORD'),
  };
}

export function smbMountsEnvironment(inputs: SmbMountsInputs): DriveEnvVar[] {
  const { spec, identity, editors } = inputs;
  const vars: DriveEnvVar[] = [];
  const add = (name: string, source: EnvSource) => vars.push({ name, ...source });
  const value = (name: string, text: string) => add(name, { value: text });
  const secret = objectNames.mountsSecret(inputs.drive);
  value('PORT', String(SMB_MOUNT_PORT));
  value('PUBLIC_URL', `https://${spec.host}`);
  value('MOUNTS', JSON.stringify(inputs.mounts.map(mountDescription)));
  const seen = new Map<string, string>();
  for (const mount of inputs.mounts) {
    const variable = mountCredentialVariable(mount.name, 'USERNAME');
    const other = seen.get(variable);
    if (other !== undefined)
      throw new SmbMountEnvError(
        `StorageMounts ${other} and ${mount.name} map to the same variables (${variable}); rename one`,
      );
    seen.set(variable, mount.name);
    const ref = mount.smb.credentialsSecretRef;
    add(variable, { secretKeyRef: { name: ref.name, key: ref.usernameKey } });
    add(mountCredentialVariable(mount.name, 'PASSWORD'), {
      secretKeyRef: { name: ref.name, key: ref.passwordKey },
    });
  }
  // The mounts log users in with Drive's own client, at the same endpoints Drive calls.
  value('OIDC_ISSUER', identity.issuer);
  add('OIDC_CLIENT_ID', identity.clientId);
  add('OIDC_CLIENT_SECRET', { secretKeyRef: identity.clientSecret });
  value('OIDC_AUTHORIZATION_ENDPOINT', identity.endpoints.authorization);
  value('OIDC_TOKEN_ENDPOINT', identity.endpoints.token);
  value('OIDC_USERINFO_ENDPOINT', identity.endpoints.userinfo);
  value('OIDC_JWKS_ENDPOINT', identity.endpoints.jwks);
  if (identity.endpoints.endSession !== undefined)
    value('OIDC_END_SESSION_ENDPOINT', identity.endpoints.endSession);
  value('OIDC_SCOPES', identity.scopes.join(' '));
  // WOPI locks, share-link revocations and UI sessions outlive one pod: Drive's Redis holds them.
  add('REDIS_URL', { secretKeyRef: inputs.redisUrl });
  add('SESSION_SECRET', { secretKeyRef: { name: secret, key: SMB_MOUNT_SECRET_KEYS.session } });
  add('SHARE_LINK_SECRET', {
    secretKeyRef: { name: secret, key: SMB_MOUNT_SECRET_KEYS.shareLinks },
  });
  add('WOPI_TOKEN_SECRET', {
    secretKeyRef: { name: secret, key: SMB_MOUNT_SECRET_KEYS.wopiTokens },
  });
  if (editors.length > 0)
    value('WOPI_DISCOVERY_URLS', editors.map((editor) => editor.discoveryUrl).join(','));
  value('UPLOAD_CHUNKED', spec.upload.chunked ? 'true' : 'false');
  value('UPLOAD_CHUNK_SIZE_BYTES', String(spec.upload.chunkSizeBytes));
  value('UPLOAD_MAX_FILE_SIZE_BYTES', String(spec.upload.maxFileSizeBytes));
  return vars;
}

function containerEnv(vars: readonly DriveEnvVar[]) {
  return vars.map((entry) => {
    if ('value' in entry) return { name: entry.name, value: entry.value };
    if ('secretKeyRef' in entry)
      return { name: entry.name, valueFrom: { secretKeyRef: { ...entry.secretKeyRef } } };
    return { name: entry.name, valueFrom: { configMapKeyRef: { ...entry.configMapKeyRef } } };
  });
}

export function smbMountsObjects(
  owner: OwnerInstance,
  inputs: SmbMountsInputs,
  image: string,
): unknown[] {
  if (inputs.mounts.length === 0) return [];
  const name = objectNames.mounts(owner.name);
  const probe = (path: string) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  // State lives in Redis and on the shares: any replica serves any request.
  const replicas = Math.min(2, Math.max(1, inputs.spec.backend.replicas));
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: childMeta(owner, name, 'mounts'),
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(owner.name, 'mounts') },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: childMeta(owner, name, 'mounts').labels },
          spec: {
            ...podBasics(),
            containers: [
              {
                name: 'smb-mount',
                image,
                imagePullPolicy: 'IfNotPresent',
                env: containerEnv(smbMountsEnvironment(inputs)),
                ports: [{ name: 'http', containerPort: SMB_MOUNT_PORT }],
                resources: RESOURCE_DEFAULTS.smbMount,
                livenessProbe: probe('/healthz'),
                readinessProbe: probe('/readyz'),
                securityContext: containerSecurityContext,
                volumeMounts: [TMP_MOUNT],
              },
            ],
            volumes: [TMP_VOLUME],
          },
        },
      },
    },
    service(owner, name, 'mounts', SMB_MOUNT_PORT, 'http'),
    disruptionBudget(owner, name, 'mounts'),
  ];
}

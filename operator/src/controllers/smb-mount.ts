// A StorageMount of type smb: the share checked with the mount's own account and security
// settings, as the mounts service will use them, and reported as ShareReachable. A wrong password,
// a refused protocol or a missing directory stalls until the spec or Secret changes (and is checked
// again every few minutes); a server that does not answer is retried with backoff.
import type { StorageMountSpec } from '../api/storage-mount.js';
import type { ShareProblem } from '../ports/smb/share-probe.js';
import type { ConditionInput } from '../runtime/conditions.js';
import type { KubeObject } from '../runtime/api-client.js';
import type { Manager } from '../runtime/manager.js';
import type { Report, StatusObject } from './status-writer.js';

/** The share is checked again this often: a password or a directory changed behind our back. */
const RECHECK_MS = 300_000;

type SmbSpec = NonNullable<StorageMountSpec['smb']>;
type Secret = KubeObject & { data?: Record<string, string> };

const REASON_OF: Record<ShareProblem, string> = {
  AccessDenied: 'AccessDenied',
  ProtocolRefused: 'ProtocolRefused',
  PathNotFound: 'SharePathNotFound',
  NotADirectory: 'SharePathNotDirectory',
  Unreachable: 'ShareUnreachable',
  ReadOnly: 'ShareReadOnly',
  ClientUnavailable: 'SmbClientUnavailable',
};

const FIX_OF: Record<ShareProblem, string> = {
  AccessDenied:
    'check the user name and password in spec.smb.credentialsSecretRef, spec.smb.domain, and the account’s access to the share',
  ProtocolRefused:
    'set spec.smb.security.minProtocol and encryption to what the server accepts, or raise the server’s protocol',
  PathNotFound: 'create the directory, or correct spec.smb.share or spec.smb.path',
  NotADirectory: 'point spec.smb.path at a directory',
  Unreachable: 'retrying',
  ReadOnly: 'give the account write access, or give this mount viewer roles only',
  ClientUnavailable: 'run an operator image built with libsmbclient',
};

export function smbUrl(smb: SmbSpec): string {
  return `smb://${smb.host}:${String(smb.port)}/${smb.share}${smb.path === '/' ? '' : smb.path}`;
}

export const SMB_CAPABILITIES = {
  versioning: false,
  rangeReads: true,
  resumableUploads: true,
  wopi: true,
  shareLinks: true,
  searchByName: true,
} as const;

function decoded(secret: Secret, key: string): string {
  return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
}

export async function reconcileSmbMount(
  manager: Manager,
  mount: StatusObject,
  smb: SmbSpec,
): Promise<Report> {
  const namespace = mount.metadata.namespace ?? '';
  const fields = { url: smbUrl(smb), capabilities: SMB_CAPABILITIES };
  const { name, usernameKey, passwordKey } = smb.credentialsSecretRef;
  const secret = manager.informer<Secret>('v1', 'Secret').cache.get(`${namespace}/${name}`);
  const waiting = (reason: string, message: string, stalled: boolean): Report => ({
    outcome: stalled
      ? { state: 'Stalled', reason, message }
      : { state: 'Progressing', reason, message },
    domain: [{ type: 'ShareReachable', status: 'False', reason, message }],
    fields,
    requeueAfterMs: stalled ? RECHECK_MS : 5_000,
  });
  if (!secret) return waiting('ReferenceNotFound', `Secret ${name} does not exist yet`, false);
  const missing = [usernameKey, passwordKey].filter((key) => !(key in (secret.data ?? {})));
  if (missing.length > 0)
    return waiting(
      'SecretKeyMissing',
      `Secret ${name} lacks ${missing.join(', ')}; add the key or point spec.smb.credentialsSecretRef at the right one`,
      true,
    );
  const { probeShare } = await import('../ports/smb/share-probe.js');
  const result = await probeShare({
    host: smb.host,
    port: smb.port,
    share: smb.share,
    path: smb.path,
    domain: smb.domain,
    username: decoded(secret, usernameKey),
    password: decoded(secret, passwordKey),
    security: smb.security,
    operationTimeoutMs: 15_000,
    checkWrite: smb.roles.some((binding) => binding.role !== 'viewer'),
  });
  const where = `//${smb.host}:${String(smb.port)}/${smb.share}${smb.path === '/' ? '' : smb.path}`;
  if (!result.reachable) {
    const reason = REASON_OF[result.problem];
    const message = `${result.message}; ${FIX_OF[result.problem]}`;
    const condition: ConditionInput = { type: 'ShareReachable', status: 'False', reason, message };
    return result.permanent
      ? {
          outcome: { state: 'Stalled', reason, message },
          domain: [condition],
          fields,
          requeueAfterMs: RECHECK_MS,
        }
      : {
          outcome: { state: 'Progressing', reason, message },
          domain: [condition],
          fields,
          retry: true,
        };
  }
  const access = result.writable ? 'read and write' : 'read';
  const message = `${where} answers the account in Secret ${smb.credentialsSecretRef.name} with ${access} access (signing ${smb.security.signing}, encryption ${smb.security.encryption}, ${smb.security.minProtocol} or newer)`;
  return {
    outcome: { state: 'Ready', message: `share ${where} verified` },
    domain: [{ type: 'ShareReachable', status: 'True', reason: 'Succeeded', message }],
    fields,
    requeueAfterMs: RECHECK_MS,
  };
}

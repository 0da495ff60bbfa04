// What the operator checks of a StorageMount of type smb before any Drive uses it: the service
// account logs in with the mount's protocol and security settings, the mount root is a directory,
// and, when a role may write, a file can be created and removed there. The answer is a problem
// name the operator turns into a condition, not an errno.
import { existsSync } from 'node:fs';
import { SmbBackend, type SmbConnectOptions } from './smb/backend.js';
import { SmbError } from './smb/errors.js';
import { ADDON_PATH } from './smb/native.js';

export type ShareProblem =
  /** The server refused the account, or its access to the share or the mount root. */
  | 'AccessDenied'
  /** No dialect or security setting both sides accept. */
  | 'ProtocolRefused'
  /** No such share, or no such directory in it. */
  | 'PathNotFound'
  /** The mount root is a file. */
  | 'NotADirectory'
  /** Nothing answers, or it stopped answering: worth retrying. */
  | 'Unreachable'
  /** The account may read but the probe file could not be written. */
  | 'ReadOnly'
  /** This build of the service has no libsmbclient addon. */
  | 'ClientUnavailable';

export interface ShareProbeOptions extends SmbConnectOptions {
  /** Create and remove a file in the mount root: some role may write. */
  checkWrite: boolean;
}

export type ShareProbeResult =
  | { reachable: true; writable: boolean | undefined; entries: number }
  | { reachable: false; problem: ShareProblem; permanent: boolean; message: string };

const PROBLEM_BY_CODE: Readonly<Record<string, ShareProblem>> = {
  EACCES: 'AccessDenied',
  EPERM: 'AccessDenied',
  ENOSYS: 'ProtocolRefused',
  EINVAL: 'ProtocolRefused',
  ENOTSUP: 'ProtocolRefused',
  EPROTONOSUPPORT: 'ProtocolRefused',
  ENOENT: 'PathNotFound',
  ENOTDIR: 'NotADirectory',
};

const PROBE_NAME = '.lasuite-probe';

/** `where` prefixes failures after the connection: connect's own messages name the share. */
function failed(error: unknown, where?: string): ShareProbeResult {
  if (!(error instanceof SmbError)) throw error;
  const problem =
    (error.code === undefined ? undefined : PROBLEM_BY_CODE[error.code]) ?? 'Unreachable';
  const message = where === undefined ? error.message : `${where}: ${error.message}`;
  return { reachable: false, problem, permanent: problem !== 'Unreachable', message };
}

/** Connects one worker, checks the mount root and, if asked, writing in it; always disconnects. */
export async function probeShare(options: ShareProbeOptions): Promise<ShareProbeResult> {
  if (!existsSync(ADDON_PATH))
    return {
      reachable: false,
      problem: 'ClientUnavailable',
      permanent: true,
      message: `this build has no libsmbclient addon (${ADDON_PATH} is missing): build it with hack/build-smb-addon.sh`,
    };
  const where = `//${options.host}:${String(options.port ?? 445)}/${options.share}${options.path === undefined || options.path === '/' ? '' : options.path}`;
  let smb: SmbBackend;
  try {
    smb = await SmbBackend.connect({ ...options, workers: 1 });
  } catch (error) {
    return failed(error);
  }
  try {
    const entries = (await smb.list('')).length;
    if (!options.checkWrite) return { reachable: true, writable: undefined, entries };
    const upload = await smb.createUpload('', PROBE_NAME).catch((error: unknown) => {
      if (error instanceof SmbError && error.kind === 'Forbidden') return undefined;
      throw error;
    });
    if (!upload)
      return {
        reachable: false,
        problem: 'ReadOnly',
        permanent: true,
        message: `${where}: the account may not create files in the mount root, and a role of this mount may write`,
      };
    await smb.writeAt(upload, 0, new TextEncoder().encode('lasuite-operator probe\n'));
    await smb.abort(upload);
    return { reachable: true, writable: true, entries };
  } catch (error) {
    return failed(error, where);
  } finally {
    await smb.close();
  }
}

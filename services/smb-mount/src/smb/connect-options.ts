// How a StorageMount's spec.smb becomes the options of a libsmbclient context.
import type { NativeContextOptions, SmbDialect } from './native.js';

/** The same fields, and defaults, as spec.smb.security of a StorageMount. */
export interface SmbSecurity {
  /**
   * Both sign every session: any SMB2 or SMB3 server can, libsmbclient insists on it whenever it
   * asks for encryption, and its signing setting is one for the whole process.
   */
  signing: 'Required' | 'Auto';
  encryption: 'Required' | 'Auto' | 'Off';
  minProtocol: 'SMB2_02' | 'SMB2_10' | 'SMB3_00' | 'SMB3_11';
}

export const DEFAULT_SECURITY: SmbSecurity = {
  signing: 'Required',
  encryption: 'Auto',
  minProtocol: 'SMB3_00',
};

export interface SmbConnectOptions {
  host: string;
  /** Default 445. */
  port?: number;
  share: string;
  /** smb.path: the directory inside the share that is the mount root. Default `/`. */
  path?: string;
  /** Domain or workgroup of the account. Default WORKGROUP. */
  domain?: string;
  username: string;
  password: string;
  security?: Partial<SmbSecurity>;
  /** The newest dialect offered (default SMB3_11): how the tests act as an older client. */
  maxProtocol?: SmbDialect;
  /** Worker threads, each with its own SMB connection. Default 4. */
  workers?: number;
  /** How long one SMB request may take. Default 30 s. */
  operationTimeoutMs?: number;
  /**
   * Bytes per positional read. Default 4 MiB: one SMB3 read (Samba allows 8 MiB) and a quarter of
   * the worker round trips of 1 MiB, which measured 74–79 % of smbclient's download throughput
   * against 87–95 % (docs/benchmarks.md).
   */
  readChunkSize?: number;
  /**
   * Bytes per positional write. Default 1 MiB, so that a tus chunk of Drive's 8 MiB keeps eight
   * writes in flight.
   */
  writeChunkSize?: number;
  /** Positional reads one download keeps queued. Default 8. */
  readsInFlight?: number;
  /** Positional writes one writeAt keeps queued. Default 8. */
  writesInFlight?: number;
}

const ENCRYPTION = { Required: 'required', Auto: 'desired', Off: 'off' } as const;

const DIALECTS: readonly SmbDialect[] = ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_02', 'SMB3_11'];

export function nativeContextOptions(options: SmbConnectOptions): NativeContextOptions {
  const security = { ...DEFAULT_SECURITY, ...options.security };
  const maxProtocol = options.maxProtocol ?? 'SMB3_11';
  if (DIALECTS.indexOf(maxProtocol) < DIALECTS.indexOf(security.minProtocol))
    throw new RangeError(
      `maxProtocol ${maxProtocol} is older than minProtocol ${security.minProtocol}`,
    );
  return {
    port: options.port ?? 445,
    workgroup: options.domain ?? 'WORKGROUP',
    username: options.username,
    password: options.password,
    minProtocol: security.minProtocol,
    maxProtocol,
    encryption: ENCRYPTION[security.encryption],
    timeoutMs: options.operationTimeoutMs ?? 30_000,
  };
}

/** What a failed connection most likely means, by libsmbclient's errno, for the error message. */
export function connectHint(code: string | undefined, options: SmbConnectOptions): string {
  const security = { ...DEFAULT_SECURITY, ...options.security };
  const account = `${options.domain ?? 'WORKGROUP'}\\${options.username}`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `the server refused the account ${account}, or its access to the share`;
    // Samba 4.17 answers a dialect it does not accept with NT_STATUS_NOT_SUPPORTED: ENOSYS.
    case 'ENOSYS':
    case 'EINVAL':
    case 'ENOTSUP':
    case 'EPROTONOSUPPORT':
      return `the server and this client share no acceptable protocol: this client offers ${security.minProtocol} to ${options.maxProtocol ?? 'SMB3_11'}, signed, encryption ${security.encryption}`;
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return `nothing answers SMB at ${options.host}:${String(options.port ?? 445)}`;
    case 'ENOENT':
      return `the share, or the directory ${options.path ?? '/'} in it, does not exist`;
    case 'ENOTDIR':
      return `${options.path ?? '/'} is not a directory`;
    default:
      return 'the connection failed';
  }
}

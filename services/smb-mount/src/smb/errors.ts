// What an SMB failure means to the HTTP layer: a handful of kinds, each answered one way, with the
// errno name, the operation and the path kept for the logs.

export type SmbErrorKind =
  'NotFound' | 'Conflict' | 'NotEmpty' | 'Forbidden' | 'Unavailable' | 'Timeout' | 'Invalid';

const KIND_BY_CODE: Readonly<Record<string, SmbErrorKind>> = {
  ENOENT: 'NotFound',
  EEXIST: 'Conflict',
  EISDIR: 'Conflict',
  // A file where the path needs a directory: the request conflicts with what is there.
  ENOTDIR: 'Conflict',
  // Samba's answer to a sharing violation: another client holds the file.
  EBUSY: 'Conflict',
  ETXTBSY: 'Conflict',
  ENOTEMPTY: 'NotEmpty',
  EACCES: 'Forbidden',
  EPERM: 'Forbidden',
  EROFS: 'Forbidden',
  ETIMEDOUT: 'Timeout',
  EINVAL: 'Invalid',
  ENAMETOOLONG: 'Invalid',
  EXDEV: 'Invalid',
  EILSEQ: 'Invalid',
};

/** Errors after which the SMB connection is not worth keeping: a fresh one may work. */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'ENOTSOCK',
]);

export function isConnectionError(code: string | undefined): boolean {
  return code !== undefined && CONNECTION_CODES.has(code);
}

export function kindOf(code: string | undefined): SmbErrorKind {
  if (code === undefined) return 'Unavailable';
  return KIND_BY_CODE[code] ?? 'Unavailable';
}

export class SmbError extends Error {
  override name = 'SmbError';
  readonly kind: SmbErrorKind;
  /** The errno name libsmbclient gave (ENOENT, …), when the failure came from SMB. */
  readonly code: string | undefined;
  readonly operation: string;
  /** The mount-relative path, never a credential. */
  readonly path: string | undefined;

  constructor(
    kind: SmbErrorKind,
    message: string,
    details: { code?: string; operation: string; path?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.code = details.code;
    this.operation = details.operation;
    this.path = details.path;
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** An SmbError for whatever an SMB call threw; SmbErrors pass through unchanged. */
export function toSmbError(error: unknown, operation: string, path?: string): SmbError {
  if (error instanceof SmbError) return error;
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const where = path === undefined ? '' : ` /${path}`;
  return new SmbError(kindOf(code), `${operation}${where}: ${detail}`, {
    code,
    operation,
    path,
    cause: error,
  });
}

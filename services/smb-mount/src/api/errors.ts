// One error shape for every answer that is not a success: `{error: <Kind>, message}`, with the
// SMB layer's kinds mapped to HTTP. Messages are built here from known parts; a stack trace, a
// credential or an unknown error's text never reaches a response.
import { SmbError } from '../smb/errors.js';
import { PathError } from '../smb/paths.js';

export type ErrorKind =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'NotEmpty'
  | 'Invalid'
  | 'PathError'
  | 'TooLarge'
  | 'LengthRequired'
  | 'UnsupportedMediaType'
  | 'MethodNotAllowed'
  | 'PreconditionFailed'
  | 'RangeNotSatisfiable'
  | 'Unavailable'
  | 'Timeout'
  | 'Internal';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'Conflict',
  'NotEmpty',
  'Invalid',
  'PathError',
  'TooLarge',
  'LengthRequired',
  'UnsupportedMediaType',
  'MethodNotAllowed',
  'PreconditionFailed',
  'RangeNotSatisfiable',
  'Unavailable',
  'Timeout',
  'Internal',
];

const STATUS: Readonly<Record<ErrorKind, number>> = {
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  NotEmpty: 409,
  Invalid: 400,
  PathError: 400,
  TooLarge: 413,
  LengthRequired: 411,
  UnsupportedMediaType: 415,
  MethodNotAllowed: 405,
  PreconditionFailed: 412,
  RangeNotSatisfiable: 416,
  Unavailable: 503,
  Timeout: 504,
  Internal: 500,
};

/** Seconds a client should wait before retrying an Unavailable answer. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  error: ErrorKind;
  message: string;
  /** For PathError: which rule refused the path. */
  reason?: string;
}

/** An error meant for the client: its kind decides the status, its message is shown as is. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly kind: ErrorKind;
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ErrorKind, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.kind = kind;
    this.headers = headers;
  }

  get status(): number {
    return STATUS[this.kind];
  }

  /** The same, under the name fastify-style code reads. */
  get statusCode(): number {
    return this.status;
  }
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Whether the error is the server's (or a dependency's) fault: worth a warning in the log. */
  serverSide: boolean;
}

function fastifyAnswer(error: {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  message: string;
}): ErrorAnswer | undefined {
  if (error.validation !== undefined) return answer('Invalid', `invalid request: ${error.message}`);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer('TooLarge', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer('UnsupportedMediaType', 'this content type is not accepted here');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer('Invalid', 'the body is not valid JSON');
    default:
      break;
  }
  // fastify's own 4xx errors (a malformed request) have safe, fixed messages.
  if (
    typeof error.code === 'string' &&
    error.code.startsWith('FST_') &&
    typeof error.statusCode === 'number' &&
    error.statusCode >= 400 &&
    error.statusCode < 500
  )
    return answer('Invalid', error.message);
  return undefined;
}

function answer(kind: ErrorKind, message: string, headers: Record<string, string> = {}) {
  const status = STATUS[kind];
  if (kind === 'Unavailable') headers = { 'retry-after': String(RETRY_AFTER_SECONDS), ...headers };
  return { status, body: { error: kind, message }, headers, serverSide: status >= 500 };
}

/** How any thrown value is answered. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof ApiError) return answer(error.kind, error.message, { ...error.headers });
  if (error instanceof PathError) {
    const result = answer('PathError', error.message);
    return { ...result, body: { ...result.body, reason: error.reason } };
  }
  if (error instanceof SmbError) {
    // The message names the operation and the mount path, never a host or an account.
    return answer(error.kind, smbMessage(error));
  }
  if (error instanceof Error) {
    const known = fastifyAnswer(error);
    if (known) return known;
  }
  return answer('Internal', 'internal error');
}

function smbMessage(error: SmbError): string {
  const where = error.path === undefined ? '' : ` /${error.path}`;
  switch (error.kind) {
    case 'NotFound':
      return `not found:${where || ' the item'}`;
    case 'Conflict':
      return `conflict at${where || ' the item'}: ${conflictDetail(error)}`;
    case 'NotEmpty':
      return `the directory${where} is not empty (delete it with recursive=true)`;
    case 'Forbidden':
      return `the SMB server refused access to${where || ' the item'}`;
    case 'Unavailable':
      return 'the SMB server is unavailable';
    case 'Timeout':
      return 'the SMB server did not answer in time';
    case 'Invalid':
      return `invalid request for${where || ' the item'}: ${invalidDetail(error)}`;
  }
}

/**
 * The backend's own refusals (no errno) end in a fixed reason it wrote; libsmbclient's messages
 * are not repeated, since they may name the server.
 */
function ownReason(error: SmbError): string | undefined {
  if (error.code !== undefined) return undefined;
  return /: ([^:]+)$/.exec(error.message)?.[1];
}

function conflictDetail(error: SmbError): string {
  if (error.code === 'EBUSY' || error.code === 'ETXTBSY') return 'the file is in use';
  if (error.code === 'EEXIST') return 'it already exists';
  if (error.code === 'ENOTDIR') return 'a file is where a directory is needed';
  if (error.code === 'EISDIR') return 'it is a directory';
  return ownReason(error) ?? 'it conflicts with what is there';
}

function invalidDetail(error: SmbError): string {
  if (error.code === 'ENAMETOOLONG') return 'the name is too long';
  return ownReason(error) ?? 'the server refused it';
}

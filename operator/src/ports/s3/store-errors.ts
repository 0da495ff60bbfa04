// What went wrong talking to an object store, in the terms the status contract needs: a person
// must act (wrong credentials, denied, unsupported) or the call may succeed later (unreachable,
// throttled, a 5xx). Every adapter (S3, RGW admin-ops, SeaweedFS IAM) throws StoreError.

export type StoreProblem =
  /** The store does not know the key, or the signature does not match: Stalled. */
  | 'InvalidCredentials'
  /** The credentials are valid but may not do this: Stalled. */
  | 'AccessDenied'
  /** The store refuses versioning on this bucket: Stalled. */
  | 'VersioningUnsupported'
  /** The store does not implement a call the spec needs: Stalled. */
  | 'Unsupported'
  /** The name is taken by someone else (a bucket owned by another user): Stalled. */
  | 'Conflict'
  /** Connection refused, DNS, timeout, 5xx, throttling: Reconciling, retried with backoff. */
  | 'Unreachable';

const PERMANENT_PROBLEMS: ReadonlySet<StoreProblem> = new Set([
  'InvalidCredentials',
  'AccessDenied',
  'VersioningUnsupported',
  'Unsupported',
  'Conflict',
]);

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly problem: StoreProblem,
    /** The endpoint called, for the message a person reads; never a credential. */
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get permanent(): boolean {
    return PERMANENT_PROBLEMS.has(this.problem);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** The network error code anywhere in an error's cause chain. */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const code = (current as SdkLikeError).code;
    if (code && NETWORK_CODES.has(code)) return code;
    current = (current as SdkLikeError).cause;
  }
  return undefined;
}

/**
 * Classifies an error from @aws-sdk clients or fetch. `action` says what was attempted
 * ("PutBucketVersioning on bucket drive-media"); the message never carries a key.
 */
export function storeError(error: unknown, endpoint: string, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const sdk = (error ?? {}) as SdkLikeError;
  const code = sdk.name ?? sdk.Code ?? sdk.code ?? 'Error';
  const status = sdk.$metadata?.httpStatusCode;
  const detail = (sdk.message ?? String(error)).slice(0, 300);
  const network = networkCode(error);
  if (network || code === 'TimeoutError' || code === 'AbortError')
    return new StoreError(
      'Unreachable',
      endpoint,
      `${action}: ${endpoint} is unreachable (${network ?? code})`,
      { cause: error },
    );
  if (CREDENTIAL_CODES.has(code))
    return new StoreError(
      'InvalidCredentials',
      endpoint,
      `${action}: ${endpoint} rejects the credentials (${code}); check the access key and secret in the credentials Secret`,
      { cause: error },
    );
  if (code === 'AccessDenied' || status === 403)
    return new StoreError(
      'AccessDenied',
      endpoint,
      `${action}: ${endpoint} denies it (${code}); give the user this permission`,
      { cause: error },
    );
  if (code === 'BucketAlreadyExists')
    return new StoreError(
      'Conflict',
      endpoint,
      `${action}: the bucket name is taken by another user of ${endpoint}; choose another bucket.name`,
      { cause: error },
    );
  if (code === 'NotImplemented' || status === 501)
    return new StoreError(
      'Unsupported',
      endpoint,
      `${action}: ${endpoint} does not implement it (${code})`,
      { cause: error },
    );
  if (status === undefined || status >= 500 || status === 429 || code === 'SlowDown')
    return new StoreError(
      'Unreachable',
      endpoint,
      `${action}: ${endpoint} failed (${code}${status ? ` ${String(status)}` : ''}: ${detail})`,
      { cause: error },
    );
  return new StoreError(
    'Unsupported',
    endpoint,
    `${action}: ${endpoint} refused it (${code} ${String(status)}: ${detail})`,
    { cause: error },
  );
}

// Whether an IdP accepts a client's id and secret, checked without a user: an authorization_code
// grant with a made-up code. RFC 6749 §3.2.1 has the token endpoint authenticate the client
// before it looks at the grant, so a right secret earns `invalid_grant` and a wrong one
// `invalid_client` (or a bare 401), on any standards-compliant IdP, with no login page involved.
import {
  ClientError,
  ClientSecretBasic,
  ClientSecretPost,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  allowInsecureRequests,
  Configuration,
  discovery,
  genericGrantRequest,
  type ServerMetadata,
} from 'openid-client';

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

export type CredentialVerdict =
  | { valid: true }
  /** The IdP does not know the client, or the secret is wrong (`invalid_client`, 401). */
  | { valid: false; reason: 'CredentialsInvalid'; message: string }
  /**
   * The IdP answered with another OAuth error (`unauthorized_client`, `unsupported_grant_type`,
   * `invalid_request`, …): the client exists but cannot log a user in as registered, typically
   * because it is not allowed the authorization_code grant. A person must fix the client.
   */
  | { valid: false; reason: 'ClientMisconfigured'; message: string };

/** The IdP could not be asked: network, timeout, 5xx, or an answer no IdP should give. Retry. */
export class IdpUnreachableError extends Error {
  override name = 'IdpUnreachableError';
  constructor(
    readonly issuer: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CredentialCheckInput {
  /** Discovery runs against `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** How the real client will authenticate; defaults to client_secret_basic. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** Sent with the made-up code, as a real exchange would; some IdPs check it first. */
  redirectUri: string;
  /** The issuer's discovery document when the caller already has it; fetched otherwise. */
  serverMetadata?: ServerMetadata;
}

const TIMEOUT_SECONDS = 10;
// Long enough that no IdP has issued it, recognisable in the IdP's logs.
const BOGUS_CODE = 'lasuite-operator-credential-check-not-a-real-code';

export async function checkClientCredentials(
  input: CredentialCheckInput,
): Promise<CredentialVerdict> {
  const method = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const auth =
    method === 'client_secret_post'
      ? ClientSecretPost(input.clientSecret)
      : ClientSecretBasic(input.clientSecret);
  const redact = redactor(input.clientSecret);

  // Plain http only where the issuer itself is http (in-cluster or test IdPs).
  const insecure = new URL(input.issuer).protocol === 'http:';
  let config: Configuration;
  if (input.serverMetadata) {
    config = new Configuration(input.serverMetadata, input.clientId, undefined, auth);
    config.timeout = TIMEOUT_SECONDS;
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (insecure) allowInsecureRequests(config);
  } else {
    try {
      config = await discovery(new URL(input.issuer), input.clientId, undefined, auth, {
        timeout: TIMEOUT_SECONDS,
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        execute: insecure ? [allowInsecureRequests] : [],
      });
    } catch (error) {
      throw new IdpUnreachableError(
        input.issuer,
        redact(`OIDC discovery at ${input.issuer} failed: ${describe(error)}`),
      );
    }
  }

  try {
    await genericGrantRequest(config, 'authorization_code', {
      code: BOGUS_CODE,
      redirect_uri: input.redirectUri,
    });
  } catch (error) {
    return verdictFrom(error, input, method, redact);
  }
  throw new IdpUnreachableError(
    input.issuer,
    `the token endpoint of ${input.issuer} issued tokens for a made-up authorization code; it cannot be trusted`,
  );
}

interface OAuthAnswer {
  status: number;
  error: string | undefined;
  description: string | undefined;
}

/** The status and OAuth error of a refused token request, or undefined when none was given. */
function oauthAnswer(error: unknown): OAuthAnswer | undefined {
  if (error instanceof ResponseBodyError)
    return { status: error.status, error: error.error, description: error.error_description };
  if (error instanceof WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return {
      status: error.status,
      error: parameters?.error,
      description: parameters?.error_description,
    };
  }
  // A status outside the OAuth error format (a bare 401 from a proxy, an HTML 502).
  if (
    error instanceof ClientError &&
    error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' &&
    error.cause instanceof Response
  )
    return { status: error.cause.status, error: undefined, description: undefined };
  return undefined;
}

function verdictFrom(
  error: unknown,
  input: CredentialCheckInput,
  method: TokenEndpointAuthMethod,
  redact: (text: string) => string,
): CredentialVerdict {
  const answer = oauthAnswer(error);
  if (!answer || answer.status >= 500 || answer.status === 429)
    throw new IdpUnreachableError(
      input.issuer,
      redact(`the token endpoint of ${input.issuer} did not answer usefully: ${describe(error)}`),
    );
  const said = redact(
    `${String(answer.status)} ${answer.error ?? 'without an OAuth error'}${
      answer.description ? ` (${answer.description})` : ''
    }`,
  );
  if (answer.error === 'invalid_grant') return { valid: true };
  if (answer.error === 'invalid_client' || answer.status === 401)
    return {
      valid: false,
      reason: 'CredentialsInvalid',
      message: `${input.issuer} rejects client "${input.clientId}" with the given secret (${method}): ${said}; check the client id and secret`,
    };
  if (answer.status >= 400)
    return {
      valid: false,
      reason: 'ClientMisconfigured',
      message: `${input.issuer} refused an authorization code exchange for client "${input.clientId}" (${method}): ${said}; allow the client the authorization_code grant, redirect URI ${input.redirectUri} and ${method}`,
    };
  throw new IdpUnreachableError(
    input.issuer,
    `the token endpoint of ${input.issuer} answered ${said}, which no IdP should`,
  );
}

/** A short account of a failure from openid-client or fetch, for a person to read. */
function describe(error: unknown): string {
  if (error instanceof ResponseBodyError)
    return `${String(error.status)} ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  if (error instanceof WWWAuthenticateChallengeError) return `${String(error.status)} challenge`;
  if (!(error instanceof Error)) return String(error);
  const parts: string[] = [];
  // fetch hides the reason ("ECONNREFUSED", a timeout) one or two causes down.
  for (let current: unknown = error, depth = 0; current && depth < 4; depth += 1) {
    if (current instanceof Response) {
      parts.push(`HTTP ${String(current.status)}`);
      break;
    }
    if (!(current instanceof Error)) break;
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} [${code}]` : current.message);
    current = current.cause;
  }
  return parts.join(': ').slice(0, 400);
}

/** Removes the secret from text that may quote a request back (it never should, but IdPs vary). */
function redactor(secret: string): (text: string) => string {
  return (text) => (secret.length >= 4 ? text.split(secret).join('[redacted]') : text);
}

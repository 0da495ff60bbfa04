// Drive's OIDC client, created and kept in shape through the IdP's own registration API
// (RFC 7591 to create, RFC 7592 to read, update and delete), so any IdP that speaks the RFCs
// (Keycloak, Authentik, oidc-provider, …) works without an IdP-specific admin client.
//
// Which answers mean the client is gone: RFC 7592 §2 has the IdP answer 401 when the client no
// longer exists (and revoke the registration access token), the same answer as for a wrong or
// revoked token, so the two cannot be told apart. Either way the client can no longer be managed
// with what we hold, so 401 — and 404/410, which some IdPs send — read as "gone"; the caller
// registers anew. 403 means the client exists but may not be managed (RFC 7592 §2.1): Refused.
import {
  ClientError,
  ResponseBodyError,
  WWWAuthenticateChallengeError,
  allowInsecureRequests,
  dynamicClientRegistration,
  type Configuration,
} from 'openid-client';
import { networkReason, neverSent, redactor } from './request-failure.js';

export interface ClientMetadata {
  client_name: string;
  redirect_uris: string[];
  /** Absent is the same as none. */
  post_logout_redirect_uris?: string[];
  /** ['authorization_code', 'refresh_token'] for Drive. */
  grant_types: string[];
  /** ['code'] for Drive. */
  response_types: string[];
  /** 'client_secret_basic' unless the caller says otherwise. */
  token_endpoint_auth_method: string;
  /** Space-separated. */
  scope: string;
  /** 'RS256': Drive verifies ID tokens with RS256 only. Absent leaves the IdP's default. */
  id_token_signed_response_alg?: string;
}

export interface RegisteredClient {
  clientId: string;
  /** Empty when the IdP did not return it (RFC 7592 reads may omit it); keep the one you hold. */
  clientSecret: string;
  registrationAccessToken: string;
  registrationClientUri: string;
  /** As the IdP returned it, only the fields of ClientMetadata. */
  metadata: ClientMetadata;
}

/**
 * Refused: the IdP answered 4xx (a wrong initial access token, metadata it will not accept, a
 * client it will not let us manage): a person must act. Unreachable: network, timeout, 5xx,
 * throttling or an answer no IdP should give: retry.
 */
export class RegistrationError extends Error {
  override name = 'RegistrationError';
  constructor(
    readonly kind: 'Refused' | 'Unreachable',
    /** The HTTP status, when the IdP answered. */
    readonly status: number | undefined,
    message: string,
    /**
     * The request may have reached the IdP and created a client whose answer was lost: a
     * timeout or reset after connecting, a 5xx, an answer that is not a client. RFC 7591 has no
     * lookup, so whoever registers again may leave a second client at the IdP.
     */
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

const TIMEOUT_SECONDS = 10;
/** Statuses that say the client (or our hold on it) is no more; see the top of the file. */
const GONE = new Set([401, 404, 410]);

/** POST to the registration endpoint with the initial access token (Bearer). */
export async function registerClient(input: {
  issuer: string;
  initialAccessToken: string;
  metadata: ClientMetadata;
}): Promise<RegisteredClient> {
  const action = `registering client "${input.metadata.client_name}" at ${input.issuer}`;
  const redact = redactor([input.initialAccessToken]);
  let registered: Configuration;
  try {
    // openid-client discovers the registration endpoint and checks the issuer on the way.
    registered = await dynamicClientRegistration(
      new URL(input.issuer),
      { ...input.metadata },
      undefined,
      {
        initialAccessToken: input.initialAccessToken,
        timeout: TIMEOUT_SECONDS,
        // Plain http only where the issuer itself is http (in-cluster or test IdPs).
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        execute: new URL(input.issuer).protocol === 'http:' ? [allowInsecureRequests] : [],
      },
    );
  } catch (error) {
    throw libraryError(error, action, redact);
  }
  return registeredClient(registered.clientMetadata(), {}, action);
}

/** GET registration_client_uri; undefined when the IdP says the client is gone (401, 404, 410). */
export async function readClient(input: {
  registrationClientUri: string;
  registrationAccessToken: string;
}): Promise<RegisteredClient | undefined> {
  const action = `reading client ${input.registrationClientUri}`;
  const answer = await call('GET', input.registrationClientUri, input.registrationAccessToken);
  if (answer.status === 200)
    return registeredClient(answer.body, fallbackFrom(input), action, [
      input.registrationAccessToken,
    ]);
  if (GONE.has(answer.status)) return undefined;
  throw answerError(answer, action, [input.registrationAccessToken]);
}

/**
 * PUT the full metadata; what is left out is removed at the IdP (RFC 7592 §2.2). The secret is
 * sent so the IdP can check it; if the IdP returns none the old one is kept. A gone client is
 * Refused with its status (401/404/410): read it, then register anew.
 */
export async function updateClient(input: {
  registrationClientUri: string;
  registrationAccessToken: string;
  clientId: string;
  clientSecret: string;
  metadata: ClientMetadata;
}): Promise<RegisteredClient> {
  const action = `updating client ${input.registrationClientUri}`;
  const secrets = [input.registrationAccessToken, input.clientSecret];
  const answer = await call('PUT', input.registrationClientUri, input.registrationAccessToken, {
    ...input.metadata,
    client_id: input.clientId,
    // RFC 7592 lets the client send it; an empty one would read as a wrong secret.
    ...(input.clientSecret ? { client_secret: input.clientSecret } : {}),
  });
  if (answer.status === 200)
    return registeredClient(
      answer.body,
      { ...fallbackFrom(input), clientSecret: input.clientSecret },
      action,
      secrets,
    );
  throw answerError(answer, action, secrets);
}

/** DELETE; a client that is already gone (401, 404, 410) is fine. */
export async function deleteClient(input: {
  registrationClientUri: string;
  registrationAccessToken: string;
}): Promise<void> {
  const action = `deleting client ${input.registrationClientUri}`;
  const answer = await call('DELETE', input.registrationClientUri, input.registrationAccessToken);
  if (answer.status === 204 || answer.status === 200 || GONE.has(answer.status)) return;
  throw answerError(answer, action, [input.registrationAccessToken]);
}

/**
 * Whether what the IdP holds differs from what we want, on the fields we set. Lists and scopes
 * compare as sets, since IdPs may reorder them; an absent post-logout list is an empty one, and
 * an absent signing algorithm means we accept whatever the IdP chose.
 */
export function metadataDiffers(current: ClientMetadata, desired: ClientMetadata): boolean {
  const scopes = (scope: string) => scope.split(' ').filter(Boolean);
  return (
    current.client_name !== desired.client_name ||
    current.token_endpoint_auth_method !== desired.token_endpoint_auth_method ||
    !sameSet(current.redirect_uris, desired.redirect_uris) ||
    !sameSet(current.post_logout_redirect_uris ?? [], desired.post_logout_redirect_uris ?? []) ||
    !sameSet(current.grant_types, desired.grant_types) ||
    !sameSet(current.response_types, desired.response_types) ||
    !sameSet(scopes(current.scope), scopes(desired.scope)) ||
    (desired.id_token_signed_response_alg !== undefined &&
      current.id_token_signed_response_alg !== desired.id_token_signed_response_alg)
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((value) => right.has(value));
}

interface Answer {
  status: number;
  body: unknown;
  /** The WWW-Authenticate header, which carries the OAuth error when the body does not. */
  challenge: string | null;
}

/** One RFC 7592 call; throws only when no answer came. */
async function call(
  method: 'GET' | 'PUT' | 'DELETE',
  url: string,
  token: string,
  body?: object,
): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      // A redirect would carry the bearer token somewhere the IdP did not name as the client's URI.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return {
      status: response.status,
      body: parsed,
      challenge: response.headers.get('www-authenticate'),
    };
  } catch (error) {
    throw new RegistrationError(
      'Unreachable',
      undefined,
      `${method} ${url}: the IdP is unreachable (${networkReason(error)})`,
      !neverSent(error),
    );
  }
}

function answerError(
  answer: Answer,
  action: string,
  secrets: readonly string[],
): RegistrationError {
  const record = isRecord(answer.body) ? answer.body : {};
  const challenge = answer.challenge ?? '';
  const error = stringField(record, 'error') ?? /\berror="([^"]*)"/.exec(challenge)?.[1];
  const description =
    stringField(record, 'error_description') ??
    /\berror_description="([^"]*)"/.exec(challenge)?.[1];
  return refusalOrOutage(answer.status, error, description, action, redactor(secrets));
}

function refusalOrOutage(
  status: number | undefined,
  error: string | undefined,
  description: string | undefined,
  action: string,
  redact: (text: string) => string,
): RegistrationError {
  const said = `${status === undefined ? 'an invalid answer' : String(status)}${
    error ? ` ${error}` : ''
  }${description ? `: ${description}` : ''}`;
  // 408 and 429 ask us to come back later; 4xx otherwise is the IdP's considered refusal.
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429)
    return new RegistrationError('Refused', status, redact(`${action}: the IdP refused (${said})`));
  return new RegistrationError(
    'Unreachable',
    status,
    redact(`${action}: the IdP failed (${said.slice(0, 400)})`),
    status === undefined || status >= 500,
  );
}

/** Classifies what openid-client throws for the registration request (and its discovery). */
function libraryError(
  error: unknown,
  action: string,
  redact: (text: string) => string,
): RegistrationError {
  if (error instanceof ResponseBodyError)
    return refusalOrOutage(error.status, error.error, error.error_description, action, redact);
  if (error instanceof WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return refusalOrOutage(
      error.status,
      parameters?.error,
      parameters?.error_description,
      action,
      redact,
    );
  }
  if (error instanceof ClientError) {
    if (
      error.code === 'OAUTH_MISSING_SERVER_METADATA' ||
      error.code === 'OAUTH_UNSUPPORTED_OPERATION'
    )
      return new RegistrationError(
        'Refused',
        undefined,
        `${action}: the IdP does not offer dynamic client registration (no registration_endpoint in its discovery document)`,
      );
    if (error.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED')
      return new RegistrationError(
        'Refused',
        undefined,
        `${action}: the discovery document names another issuer; give the issuer exactly as the IdP spells it`,
      );
    // Statuses outside the OAuth error format: a proxy's 502, a 404 for a wrong issuer path.
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && error.cause instanceof Response)
      return refusalOrOutage(error.cause.status, undefined, error.message, action, redact);
  }
  return new RegistrationError(
    'Unreachable',
    undefined,
    redact(`${action}: the IdP is unreachable (${networkReason(error)})`),
    !neverSent(error),
  );
}

/** What a registration answer lacks is taken from what the caller already holds. */
interface Fallback {
  clientSecret?: string;
  registrationAccessToken?: string;
  registrationClientUri?: string;
}

function fallbackFrom(input: {
  registrationClientUri: string;
  registrationAccessToken: string;
}): Fallback {
  return {
    registrationClientUri: input.registrationClientUri,
    registrationAccessToken: input.registrationAccessToken,
  };
}

function registeredClient(
  body: unknown,
  fallback: Fallback,
  action: string,
  secrets: readonly string[] = [],
): RegisteredClient {
  if (!isRecord(body))
    throw new RegistrationError(
      'Unreachable',
      undefined,
      `${action}: the IdP answered no JSON`,
      true,
    );
  const clientId = stringField(body, 'client_id');
  const registrationAccessToken =
    stringField(body, 'registration_access_token') ?? fallback.registrationAccessToken;
  const registrationClientUri =
    stringField(body, 'registration_client_uri') ?? fallback.registrationClientUri;
  if (!clientId || !registrationAccessToken || !registrationClientUri)
    // A client we cannot manage later would be orphaned on delete; say so rather than hide it.
    throw new RegistrationError(
      'Refused',
      undefined,
      redactor(secrets)(
        `${action}: the IdP's answer lacks ${
          !clientId
            ? 'client_id'
            : 'registration_access_token or registration_client_uri (RFC 7592 management is off)'
        }${clientId ? `; delete client "${clientId}" at the IdP by hand` : ''}`,
      ),
    );
  return {
    clientId,
    clientSecret: stringField(body, 'client_secret') ?? fallback.clientSecret ?? '',
    registrationAccessToken,
    registrationClientUri,
    metadata: metadataFrom(body),
  };
}

/** The fields we manage, with RFC 7591 §2 defaults for those the IdP left out. */
function metadataFrom(body: Record<string, unknown>): ClientMetadata {
  const postLogout = stringList(body.post_logout_redirect_uris);
  const signingAlg = stringField(body, 'id_token_signed_response_alg');
  return {
    client_name: stringField(body, 'client_name') ?? '',
    redirect_uris: stringList(body.redirect_uris) ?? [],
    ...(postLogout ? { post_logout_redirect_uris: postLogout } : {}),
    grant_types: stringList(body.grant_types) ?? ['authorization_code'],
    response_types: stringList(body.response_types) ?? ['code'],
    token_endpoint_auth_method:
      stringField(body, 'token_endpoint_auth_method') ?? 'client_secret_basic',
    scope: stringField(body, 'scope') ?? '',
    ...(signingAlg ? { id_token_signed_response_alg: signingAlg } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: unknown[] = value;
  return items.every((item): item is string => typeof item === 'string') ? items : undefined;
}

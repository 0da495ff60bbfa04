// Keycloak admin REST API adapter for OidcClients with credentials.keycloak: one confidential
// client per OidcClient, found by its clientId before anything is created (unlike RFC 7591, the
// admin API can look a client up, so a create whose answer was lost is found, not repeated).
//
// The client is marked with the OidcClient's uid in an attribute. A client of the same clientId
// without that mark belongs to someone else: it is reported, never taken over or deleted.
// The operator authenticates as a service-account client of the same realm (client credentials
// grant) holding realm-management's manage-clients role, the least the admin API accepts.
import { RegistrationError } from './dynamic-registration.js';
import { networkReason, redactor } from './request-failure.js';

const TIMEOUT_MS = 10_000;
/** Keycloak joins a multi-valued client attribute with this separator. */
const LIST_SEPARATOR = '##';
export const OWNER_ATTRIBUTE = 'lasuite.selfhost.dev/owner-uid';

export interface KeycloakTarget {
  /** Base URL, e.g. https://sso.example.com (no /realms). */
  url: string;
  realm: string;
  adminClientId: string;
  adminClientSecret: string;
}

/** What Drive needs from its client (drive-contract §3.3). */
export interface DesiredKeycloakClient {
  clientId: string;
  description: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** The OidcClient's uid, written into OWNER_ATTRIBUTE. */
  ownerUid: string;
}

/** A client representation, as the admin API returns it (the fields this adapter reads). */
export interface KeycloakClient {
  id: string;
  clientId: string;
  [field: string]: unknown;
}

type Representation = Record<string, unknown>;

/** The representation fields the operator owns; every other field is left as Keycloak has it. */
export function clientRepresentation(desired: DesiredKeycloakClient): Representation {
  return {
    clientId: desired.clientId,
    description: desired.description,
    enabled: true,
    protocol: 'openid-connect',
    publicClient: false,
    // Accepts client_secret_post, which mozilla-django-oidc sends.
    clientAuthenticatorType: 'client-secret',
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    redirectUris: [...desired.redirectUris].sort(),
    attributes: {
      'post.logout.redirect.uris': [...desired.postLogoutRedirectUris].sort().join(LIST_SEPARATOR),
      'id.token.signed.response.alg': 'RS256',
      [OWNER_ATTRIBUTE]: desired.ownerUid,
    },
  };
}

const sortedList = (value: unknown): string =>
  Array.isArray(value)
    ? JSON.stringify(value.map(String).sort())
    : typeof value === 'string'
      ? JSON.stringify(value.split(LIST_SEPARATOR).filter(Boolean).sort())
      : '[]';

/** The owned fields that differ between Keycloak's client and the desired one, by name. */
export function clientDrift(current: KeycloakClient, desired: DesiredKeycloakClient): string[] {
  const wanted = clientRepresentation(desired);
  const drift: string[] = [];
  for (const [field, value] of Object.entries(wanted)) {
    if (field === 'attributes') continue;
    const same =
      field === 'redirectUris'
        ? sortedList(current[field]) === sortedList(value)
        : current[field] === value;
    if (!same) drift.push(field);
  }
  const currentAttributes = (current.attributes ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(wanted.attributes as Record<string, string>)) {
    const same =
      name === 'post.logout.redirect.uris'
        ? sortedList(currentAttributes[name]) === sortedList(value)
        : currentAttributes[name] === value;
    if (!same) drift.push(`attributes.${name}`);
  }
  return drift;
}

export function ownedBy(client: KeycloakClient, uid: string): boolean {
  return (client.attributes as Record<string, unknown> | undefined)?.[OWNER_ATTRIBUTE] === uid;
}

/** An authenticated session on one realm's admin API. */
export class KeycloakClients {
  private constructor(
    private readonly target: KeycloakTarget,
    private readonly token: string,
  ) {}

  static async connect(target: KeycloakTarget): Promise<KeycloakClients> {
    const action = `signing in to Keycloak ${target.url} realm ${target.realm} as ${target.adminClientId}`;
    const answer = await send(
      'POST',
      `${realmUrl(target)}/protocol/openid-connect/token`,
      action,
      [target.adminClientSecret],
      {
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: target.adminClientId,
          client_secret: target.adminClientSecret,
        }),
      },
    );
    if (answer.status !== 200)
      throw answerError(
        answer,
        action,
        [target.adminClientSecret],
        'check adminCredentialsSecretRef: a confidential client of this realm with service accounts enabled',
      );
    const token = field(answer.body, 'access_token');
    if (!token)
      throw new RegistrationError('Unreachable', 200, `${action}: no access_token in the answer`);
    return new KeycloakClients(target, token);
  }

  /** The client with this clientId, or undefined. */
  async find(clientId: string): Promise<KeycloakClient | undefined> {
    const url = `${this.adminUrl()}/clients?${new URLSearchParams({ clientId, search: 'false' }).toString()}`;
    const answer = await this.call('GET', url, `looking up client ${clientId}`);
    if (answer.status !== 200) throw this.error(answer, `looking up client ${clientId}`);
    const found = Array.isArray(answer.body) ? (answer.body as KeycloakClient[]) : [];
    return found.find((client) => client.clientId === clientId);
  }

  async create(desired: DesiredKeycloakClient): Promise<KeycloakClient> {
    const action = `creating client ${desired.clientId}`;
    const answer = await this.call(
      'POST',
      `${this.adminUrl()}/clients`,
      action,
      clientRepresentation(desired),
    );
    if (answer.status !== 201) throw this.error(answer, action);
    const created = await this.find(desired.clientId);
    if (!created)
      throw new RegistrationError('Unreachable', 201, `${action}: created, then not found`);
    return created;
  }

  /** Writes the owned fields over the client, keeping every other field as it is. */
  async update(current: KeycloakClient, desired: DesiredKeycloakClient): Promise<void> {
    const wanted = clientRepresentation(desired);
    const action = `updating client ${desired.clientId}`;
    const answer = await this.call('PUT', `${this.adminUrl()}/clients/${current.id}`, action, {
      ...current,
      ...wanted,
      attributes: {
        ...((current.attributes ?? {}) as Record<string, unknown>),
        ...(wanted.attributes as Record<string, string>),
      },
    });
    if (answer.status !== 204) throw this.error(answer, action);
  }

  async secret(client: KeycloakClient): Promise<string> {
    const action = `reading the secret of client ${client.clientId}`;
    const answer = await this.call(
      'GET',
      `${this.adminUrl()}/clients/${client.id}/client-secret`,
      action,
    );
    const value = field(answer.body, 'value');
    if (answer.status !== 200 || !value) throw this.error(answer, action);
    return value;
  }

  /** Deletes the client; a client already gone is not an error. */
  async delete(client: KeycloakClient): Promise<void> {
    const action = `deleting client ${client.clientId}`;
    const answer = await this.call('DELETE', `${this.adminUrl()}/clients/${client.id}`, action);
    if (answer.status !== 204 && answer.status !== 404) throw this.error(answer, action);
  }

  private adminUrl(): string {
    return `${this.target.url.replace(/\/+$/, '')}/admin/realms/${encodeURIComponent(this.target.realm)}`;
  }

  private call(method: string, url: string, action: string, json?: Representation) {
    return send(method, url, action, [this.token, this.target.adminClientSecret], {
      headers: { authorization: `Bearer ${this.token}` },
      ...(json ? { json } : {}),
    });
  }

  private error(answer: Answer, action: string): RegistrationError {
    const fix =
      answer.status === 403
        ? `give ${this.target.adminClientId}'s service account the realm-management role manage-clients`
        : undefined;
    return answerError(answer, action, [this.token, this.target.adminClientSecret], fix);
  }
}

function realmUrl(target: KeycloakTarget): string {
  return `${target.url.replace(/\/+$/, '')}/realms/${encodeURIComponent(target.realm)}`;
}

interface Answer {
  status: number;
  body: unknown;
}

async function send(
  method: string,
  url: string,
  action: string,
  secrets: readonly string[],
  options: { headers?: Record<string, string>; body?: URLSearchParams; json?: Representation },
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(options.json ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.json ? JSON.stringify(options.json) : options.body,
      // A redirect would carry the bearer token to a URL Keycloak did not name.
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new RegistrationError(
      'Unreachable',
      undefined,
      redactor(secrets)(`${action}: Keycloak is unreachable (${networkReason(error)})`),
    );
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text.slice(0, 200);
  }
  return { status: response.status, body };
}

function answerError(
  answer: Answer,
  action: string,
  secrets: readonly string[],
  fix?: string,
): RegistrationError {
  const said = [
    field(answer.body, 'error'),
    field(answer.body, 'error_description') ?? field(answer.body, 'errorMessage'),
  ]
    .filter(Boolean)
    .join(': ');
  const status = answer.status;
  const detail = `${String(status)}${said ? ` ${said}` : ''}`;
  // 408 and 429 ask us to come back later; another 4xx is Keycloak's considered refusal.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429)
    return new RegistrationError(
      'Refused',
      status,
      redactor(secrets)(`${action}: Keycloak refused (${detail})${fix ? `; ${fix}` : ''}`),
    );
  return new RegistrationError(
    'Unreachable',
    status,
    redactor(secrets)(`${action}: Keycloak failed (${detail.slice(0, 300)})`),
  );
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

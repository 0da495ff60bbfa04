// An OidcClient: discovery (endpoints into status), the client's credentials by mode (an
// existing Secret, or RFC 7591 registration kept in sync through RFC 7592), and a credential
// check that needs no user. Drift is looked for every minute; the registered client is deleted
// with the OidcClient when its deletionPolicy says so.
import type * as client from 'openid-client';
import type { OidcClientSpec } from '../api/oidc-client.js';
import { checkClientCredentials, IdpUnreachableError } from '../ports/oidc/credential-check.js';
import { discoveredEndpoints, discoverIssuer, DiscoveryError } from '../ports/oidc/discovery.js';
import {
  deleteClient,
  metadataDiffers,
  readClient,
  registerClient,
  RegistrationError,
  updateClient,
  type ClientMetadata,
  type RegisteredClient,
} from '../ports/oidc/dynamic-registration.js';
import {
  clientDrift,
  KeycloakClients,
  ownedBy,
  type DesiredKeycloakClient,
  type KeycloakTarget,
} from '../ports/oidc/keycloak-clients.js';
import { loginRedirectUris, logoutRedirectUris } from '../render/drive-urls.js';
import { objectNames } from '../render/object-names.js';
import type { KubeObject } from '../runtime/api-client.js';
import type { ConditionInput } from '../runtime/conditions.js';
import { errorMessage, type Manager } from '../runtime/manager.js';
import { referencingDrives, type ReferencedNames } from './drive-references.js';
import type { ExternalCleanup } from './finalizer.js';
import { readSecretValues, writeOwnedSecret } from './owned-secrets.js';
import type { Report, StatusObject } from './status-writer.js';

const DRIFT_POLL_MS = 60_000;

export const CLIENT_REFERENCES: ReferencedNames = (spec) => [spec.oidcClientRef.name];

/** What Drive needs registered (drive-contract §3.3): callback URIs of every host, RS256. */
function desiredMetadata(
  manager: Manager,
  object: KubeObject,
  spec: OidcClientSpec,
): ClientMetadata {
  const drives = referencingDrives(manager, object, CLIENT_REFERENCES).map((drive) => drive.spec);
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    client_name:
      spec.credentials.dynamicRegistration?.clientName ??
      `${object.metadata.namespace ?? ''}/${object.metadata.name}`,
    redirect_uris: sorted([...drives.flatMap(loginRedirectUris), ...spec.redirectUris]),
    post_logout_redirect_uris: sorted([
      ...drives.flatMap(logoutRedirectUris),
      ...spec.postLogoutRedirectUris,
    ]),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // mozilla-django-oidc sends the secret in the body, and Drive cannot change that (§3.3).
    token_endpoint_auth_method: 'client_secret_post',
    scope: spec.scopes.join(' '),
    id_token_signed_response_alg: 'RS256',
  };
}

interface Credentials {
  clientId: string;
  clientSecret: string;
  secretName: string;
  synced?: ConditionInput;
}

type CredentialsResult = Credentials | { report: Report };

const REGISTRATION_KEYS = {
  clientId: 'client_id',
  clientSecret: 'client_secret',
  token: 'registration_access_token',
  uri: 'registration_client_uri',
};

function storedRegistration(values: Record<string, string> | undefined) {
  const clientId = values?.[REGISTRATION_KEYS.clientId];
  const clientSecret = values?.[REGISTRATION_KEYS.clientSecret];
  const registrationAccessToken = values?.[REGISTRATION_KEYS.token];
  const registrationClientUri = values?.[REGISTRATION_KEYS.uri];
  return clientId && clientSecret && registrationAccessToken && registrationClientUri
    ? { clientId, clientSecret, registrationAccessToken, registrationClientUri }
    : undefined;
}

function registrationValues(registered: RegisteredClient): Record<string, string> {
  return {
    [REGISTRATION_KEYS.clientId]: registered.clientId,
    [REGISTRATION_KEYS.clientSecret]: registered.clientSecret,
    [REGISTRATION_KEYS.token]: registered.registrationAccessToken,
    [REGISTRATION_KEYS.uri]: registered.registrationClientUri,
  };
}

function registrationFailure(error: unknown, issuer: string): { report: Report } {
  if (error instanceof RegistrationError && error.kind === 'Refused')
    return {
      report: {
        outcome: { state: 'Stalled', reason: 'RegistrationFailed', message: error.message },
        domain: [
          {
            type: 'ClientSynced',
            status: 'False',
            reason: 'RegistrationFailed',
            message: error.message,
          },
        ],
      },
    };
  const message = `${issuer}: ${errorMessage(error)}; retrying`;
  return {
    report: {
      outcome: { state: 'Progressing', reason: 'IssuerUnreachable', message },
      retry: true,
    },
  };
}

/**
 * Registrations whose answer arrived but whose Secret could not be written yet, by OidcClient
 * uid: RFC 7591 has no lookup by name, so registering again would leave a second client.
 */
const unsaved = new Map<string, RegisteredClient>();

async function registeredCredentials(
  manager: Manager,
  object: StatusObject,
  spec: OidcClientSpec,
): Promise<CredentialsResult> {
  const registration = spec.credentials.dynamicRegistration;
  if (!registration) throw new Error('no dynamicRegistration');
  const namespace = object.metadata.namespace ?? '';
  const secretName = objectNames.oidcCredentialsSecret(object.metadata.name);
  const desired = desiredMetadata(manager, object, spec);
  const uid = object.metadata.uid ?? '';
  const save = async (registered: RegisteredClient) => {
    unsaved.set(uid, registered);
    await writeOwnedSecret(manager, object, secretName, registrationValues(registered));
    unsaved.delete(uid);
  };
  try {
    const pending = unsaved.get(uid);
    if (pending) await save(pending);
    const stored = storedRegistration(await readSecretValues(manager, namespace, secretName));
    if (stored) {
      const current = await readClient(stored);
      if (current && !metadataDiffers(current.metadata, desired))
        return {
          clientId: stored.clientId,
          clientSecret: stored.clientSecret,
          secretName,
          synced: {
            type: 'ClientSynced',
            status: 'True',
            reason: 'Succeeded',
            message: `client ${stored.clientId} matches the spec`,
          },
        };
      if (current) {
        const updated = await updateClient({ ...stored, metadata: desired });
        await save(updated);
        await manager.events.record(
          object,
          'Warning',
          'ClientDrifted',
          `client ${stored.clientId} at ${spec.issuer} differed from the spec; updated`,
        );
        return { clientId: updated.clientId, clientSecret: updated.clientSecret, secretName };
      }
      await manager.events.record(
        object,
        'Warning',
        'ClientDrifted',
        `client ${stored.clientId} is gone from ${spec.issuer}; registering a new one`,
      );
    }
    const tokenRef = registration.initialAccessTokenSecretRef;
    const initialAccessToken = (await readSecretValues(manager, namespace, tokenRef.name))?.[
      tokenRef.key
    ];
    if (!initialAccessToken)
      return {
        report: {
          outcome: {
            state: 'Progressing',
            reason: 'ReferenceNotFound',
            message: `Secret ${tokenRef.name} with key ${tokenRef.key} (the initial access token) does not exist yet`,
          },
          requeueAfterMs: 10_000,
        },
      };
    const registered = await registerClient({
      issuer: spec.issuer,
      initialAccessToken,
      metadata: desired,
    }).catch(async (error: unknown) => {
      if (error instanceof RegistrationError && error.outcomeUnknown)
        await manager.events.record(
          object,
          'Warning',
          'RegistrationOutcomeUnknown',
          `registering client "${desired.client_name}" at ${spec.issuer} may have created it without the answer arriving; RFC 7591 offers no lookup, so the next attempt registers again: delete any extra client of that name at the IdP`,
        );
      throw error;
    });
    await save(registered);
    await manager.events.record(
      object,
      'Normal',
      'ClientRegistered',
      `registered client ${registered.clientId} at ${spec.issuer}`,
    );
    return { clientId: registered.clientId, clientSecret: registered.clientSecret, secretName };
  } catch (error) {
    return registrationFailure(error, spec.issuer);
  }
}

/**
 * A client id and secret from a Secret the spec names at `field` (a clientSecretRef), or the
 * report saying what is missing: a Secret not there yet is waited for, a missing key is Stalled.
 */
async function clientPairFromSecret(
  manager: Manager,
  object: StatusObject,
  ref: { name: string; clientIdKey: string; clientSecretKey: string },
  field: string,
  clientIdOverride?: string,
): Promise<{ clientId: string; clientSecret: string } | { report: Report }> {
  const values = await readSecretValues(manager, object.metadata.namespace ?? '', ref.name);
  if (!values)
    return {
      report: {
        outcome: {
          state: 'Progressing',
          reason: 'ReferenceNotFound',
          message: `Secret ${ref.name} (${field}) does not exist yet`,
        },
        requeueAfterMs: 10_000,
      },
    };
  const clientId = clientIdOverride ?? values[ref.clientIdKey];
  const clientSecret = values[ref.clientSecretKey];
  if (clientId === undefined || clientSecret === undefined)
    return {
      report: {
        outcome: {
          state: 'Stalled',
          reason: 'SecretKeyMissing',
          message: `Secret ${ref.name} lacks ${[
            ...(clientId === undefined ? [ref.clientIdKey] : []),
            ...(clientSecret === undefined ? [ref.clientSecretKey] : []),
          ].join(', ')}; add the key or point ${field} at the right one`,
        },
      },
    };
  return { clientId, clientSecret };
}

async function secretCredentials(
  manager: Manager,
  object: StatusObject,
  spec: OidcClientSpec,
): Promise<CredentialsResult> {
  const ref = spec.credentials.secretRef;
  if (!ref) throw new Error('no secretRef');
  const pair = await clientPairFromSecret(
    manager,
    object,
    ref,
    'credentials.secretRef',
    spec.clientId,
  );
  return 'report' in pair ? pair : { ...pair, secretName: ref.name };
}

/** The Keycloak admin credentials from their Secret, or the report saying what is missing. */
async function keycloakTarget(
  manager: Manager,
  object: StatusObject,
  keycloak: NonNullable<OidcClientSpec['credentials']['keycloak']>,
): Promise<KeycloakTarget | { report: Report }> {
  const pair = await clientPairFromSecret(
    manager,
    object,
    keycloak.adminCredentialsSecretRef,
    'credentials.keycloak.adminCredentialsSecretRef',
  );
  if ('report' in pair) return pair;
  return {
    url: keycloak.url,
    realm: keycloak.realm,
    adminClientId: pair.clientId,
    adminClientSecret: pair.clientSecret,
  };
}

/**
 * credentials.keycloak: observe the client by clientId, then create it or write back the fields
 * that drifted; its secret goes to the owned Secret. A client of that clientId the operator did
 * not create is left alone.
 */
async function keycloakCredentials(
  manager: Manager,
  object: StatusObject,
  spec: OidcClientSpec,
): Promise<CredentialsResult> {
  const keycloak = spec.credentials.keycloak;
  // Both guaranteed by the CRD's CEL rules.
  if (!keycloak || spec.clientId === undefined) throw new Error('no keycloak client');
  const clientId = spec.clientId;
  const target = await keycloakTarget(manager, object, keycloak);
  if ('report' in target) return target;
  const metadata = desiredMetadata(manager, object, spec);
  const desired: DesiredKeycloakClient = {
    clientId,
    description: `La Suite Drive login, managed by lasuite-operator (OidcClient ${object.metadata.namespace ?? ''}/${object.metadata.name})`,
    redirectUris: metadata.redirect_uris,
    postLogoutRedirectUris: metadata.post_logout_redirect_uris ?? [],
    ownerUid: object.metadata.uid ?? '',
  };
  const where = `realm ${keycloak.realm} at ${keycloak.url}`;
  try {
    const admin = await KeycloakClients.connect(target);
    let current = await admin.find(clientId);
    let message = `client ${clientId} matches the spec`;
    if (!current) {
      current = await admin.create(desired);
      message = `created client ${clientId} in ${where}`;
      await manager.events.record(object, 'Normal', 'ClientRegistered', message);
    } else if (!ownedBy(current, desired.ownerUid)) {
      const taken = `client ${clientId} already exists in ${where} and was not created by this OidcClient; delete it in Keycloak, choose another clientId, or use it as is with credentials.secretRef`;
      return {
        report: {
          outcome: { state: 'Stalled', reason: 'ClientExists', message: taken },
          domain: [
            { type: 'ClientSynced', status: 'False', reason: 'ClientExists', message: taken },
          ],
          requeueAfterMs: DRIFT_POLL_MS,
        },
      };
    } else {
      const drift = clientDrift(current, desired);
      if (drift.length > 0) {
        await admin.update(current, desired);
        message = `client ${clientId} in ${where} differed from the spec (${drift.join(', ')}); updated`;
        await manager.events.record(object, 'Warning', 'ClientDrifted', message);
      }
    }
    const clientSecret = await admin.secret(current);
    const secretName = objectNames.oidcCredentialsSecret(object.metadata.name);
    const stored = await readSecretValues(manager, object.metadata.namespace ?? '', secretName);
    if (stored?.client_id !== clientId || stored.client_secret !== clientSecret)
      await writeOwnedSecret(manager, object, secretName, {
        client_id: clientId,
        client_secret: clientSecret,
      });
    return {
      clientId,
      clientSecret,
      secretName,
      synced: { type: 'ClientSynced', status: 'True', reason: 'Succeeded', message },
    };
  } catch (error) {
    return registrationFailure(error, keycloak.url);
  }
}

export async function reconcileOidcClient(
  manager: Manager,
  object: StatusObject,
  spec: OidcClientSpec,
): Promise<Report> {
  let configuration: client.Configuration;
  try {
    configuration = await discoverIssuer(spec.issuer);
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    const reason = error.issuerMismatch ? 'IssuerMismatch' : 'IssuerUnreachable';
    return {
      outcome: error.issuerMismatch
        ? { state: 'Stalled', reason, message: error.message }
        : { state: 'Progressing', reason, message: error.message },
      domain: [{ type: 'DiscoveryReachable', status: 'False', reason, message: error.message }],
      retry: !error.issuerMismatch,
    };
  }
  const metadata = configuration.serverMetadata();
  const endpoints = discoveredEndpoints(metadata);
  const discovered: ConditionInput = {
    type: 'DiscoveryReachable',
    status: 'True',
    reason: 'Succeeded',
    message: `discovered ${spec.issuer}`,
  };
  const fields: Record<string, unknown> = {
    endpoints: Object.fromEntries(
      Object.entries(endpoints).filter(([, value]) => value !== undefined),
    ),
  };
  const credentials = spec.credentials.dynamicRegistration
    ? await registeredCredentials(manager, object, spec)
    : spec.credentials.keycloak
      ? await keycloakCredentials(manager, object, spec)
      : await secretCredentials(manager, object, spec);
  if ('report' in credentials)
    return {
      ...credentials.report,
      domain: [discovered, ...(credentials.report.domain ?? [])],
      fields,
    };
  fields.credentialsSecretRef = { name: credentials.secretName };
  fields.clientId = credentials.clientId;
  const domain = [discovered, ...(credentials.synced ? [credentials.synced] : [])];
  const drives = referencingDrives(manager, object, CLIENT_REFERENCES);
  try {
    const verdict = await checkClientCredentials({
      issuer: spec.issuer,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      tokenEndpointAuthMethod: 'client_secret_post',
      // Discovered above: the check does not fetch it again.
      serverMetadata: metadata,
      redirectUri:
        drives[0] !== undefined
          ? `https://${drives[0].spec.host}/api/v1.0/callback/`
          : (spec.redirectUris[0] ?? 'https://drive.invalid/api/v1.0/callback/'),
    });
    if (!verdict.valid)
      return {
        outcome: { state: 'Stalled', reason: verdict.reason, message: verdict.message },
        domain: [
          ...domain,
          {
            type: 'CredentialsValid',
            status: 'False',
            reason: 'CredentialsInvalid',
            message: verdict.message,
          },
        ],
        fields,
        requeueAfterMs: DRIFT_POLL_MS,
      };
  } catch (error) {
    if (!(error instanceof IdpUnreachableError)) throw error;
    return {
      outcome: { state: 'Progressing', reason: 'IssuerUnreachable', message: error.message },
      domain,
      fields,
      retry: true,
    };
  }
  return {
    outcome: {
      state: 'Ready',
      message: `client ${credentials.clientId} verified at ${spec.issuer}`,
    },
    domain: [
      ...domain,
      {
        type: 'CredentialsValid',
        status: 'True',
        reason: 'Succeeded',
        message: 'the token endpoint accepted the client credentials',
      },
    ],
    fields,
    requeueAfterMs: DRIFT_POLL_MS,
  };
}

/** The finalizer's work: delete the client the operator created when deletionPolicy is Delete. */
export function oidcCleanup(manager: Manager): ExternalCleanup<StatusObject> {
  const specOf = (object: StatusObject) => (object as StatusObject & { spec: OidcClientSpec }).spec;
  return {
    describe: (object) => `the client registered at ${specOf(object).issuer}`,
    needed: (object) =>
      (specOf(object).credentials.dynamicRegistration !== undefined ||
        specOf(object).credentials.keycloak !== undefined) &&
      specOf(object).deletionPolicy === 'Delete',
    cleanUp: async (object) => {
      const spec = specOf(object);
      if (spec.credentials.keycloak) {
        const target = await keycloakTarget(manager, object, spec.credentials.keycloak);
        if ('report' in target)
          throw new Error(
            `Secret ${spec.credentials.keycloak.adminCredentialsSecretRef.name} with the Keycloak admin credentials is missing or incomplete`,
          );
        const admin = await KeycloakClients.connect(target);
        const current = spec.clientId === undefined ? undefined : await admin.find(spec.clientId);
        // Only the client this OidcClient created; one of the same clientId made by someone else stays.
        if (current && ownedBy(current, object.metadata.uid ?? '')) await admin.delete(current);
        return;
      }
      const stored = storedRegistration(
        await readSecretValues(
          manager,
          object.metadata.namespace ?? '',
          objectNames.oidcCredentialsSecret(object.metadata.name),
        ),
      );
      // Never registered (or its Secret was removed by hand): nothing the operator can delete.
      if (stored) await deleteClient(stored);
    },
  };
}

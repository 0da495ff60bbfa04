import { describe, expect, it } from 'vitest';
import {
  clientDrift,
  clientRepresentation,
  ownedBy,
  OWNER_ATTRIBUTE,
  type DesiredKeycloakClient,
  type KeycloakClient,
} from './keycloak-clients.js';

const desired: DesiredKeycloakClient = {
  clientId: 'drive',
  description: 'Drive login',
  redirectUris: [
    'https://b.example.com/api/v1.0/callback/',
    'https://a.example.com/api/v1.0/callback/',
  ],
  postLogoutRedirectUris: [
    'https://b.example.com/api/v1.0/logout-callback/',
    'https://a.example.com/api/v1.0/logout-callback/',
  ],
  ownerUid: 'uid-1',
};

/** What Keycloak returns for a client created from the representation, plus its own fields. */
function asKeycloakHasIt(overrides: Record<string, unknown> = {}): KeycloakClient {
  const representation = clientRepresentation(desired);
  return {
    id: '0b6f…',
    ...representation,
    clientId: 'drive',
    surrogateAuthRequired: false,
    webOrigins: [],
    redirectUris: [...desired.redirectUris],
    attributes: {
      ...(representation.attributes as Record<string, string>),
      'post.logout.redirect.uris': [...desired.postLogoutRedirectUris].join('##'),
      'backchannel.logout.session.required': 'true',
    },
    ...overrides,
  };
}

describe('the Keycloak client representation', () => {
  it('is a confidential code-flow client that accepts client_secret_post and signs ID tokens RS256', () => {
    expect(clientRepresentation(desired)).toEqual({
      clientId: 'drive',
      description: 'Drive login',
      enabled: true,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      standardFlowEnabled: true,
      implicitFlowEnabled: false,
      directAccessGrantsEnabled: false,
      serviceAccountsEnabled: false,
      redirectUris: [
        'https://a.example.com/api/v1.0/callback/',
        'https://b.example.com/api/v1.0/callback/',
      ],
      attributes: {
        'post.logout.redirect.uris':
          'https://a.example.com/api/v1.0/logout-callback/##https://b.example.com/api/v1.0/logout-callback/',
        'id.token.signed.response.alg': 'RS256',
        [OWNER_ATTRIBUTE]: 'uid-1',
      },
    });
  });
});

describe('clientDrift', () => {
  it('finds none in the client as Keycloak returns it, whatever the order of the lists', () => {
    expect(clientDrift(asKeycloakHasIt(), desired)).toEqual([]);
  });

  it('names each owned field that changed, and ignores the fields it does not own', () => {
    const changed = asKeycloakHasIt({
      directAccessGrantsEnabled: true,
      redirectUris: ['https://evil.example.net/*'],
      webOrigins: ['*'],
      attributes: { [OWNER_ATTRIBUTE]: 'uid-1', 'id.token.signed.response.alg': 'HS256' },
    });
    expect(clientDrift(changed, desired)).toEqual([
      'directAccessGrantsEnabled',
      'redirectUris',
      'attributes.post.logout.redirect.uris',
      'attributes.id.token.signed.response.alg',
    ]);
  });
});

describe('ownedBy', () => {
  it('recognises only the client marked with the OidcClient uid', () => {
    expect(ownedBy(asKeycloakHasIt(), 'uid-1')).toBe(true);
    expect(ownedBy(asKeycloakHasIt(), 'uid-2')).toBe(false);
    expect(ownedBy({ id: 'x', clientId: 'drive' }, 'uid-1')).toBe(false);
  });
});

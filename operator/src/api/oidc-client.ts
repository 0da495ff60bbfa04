import { z } from 'zod';
import { exactlyOneOf, withRules } from './cel-rules.js';
import { defineKind } from './kind.js';
import {
  dnsSubdomain,
  httpUrl,
  secretKeyName,
  secretKeySelector,
  setList,
} from './schema-parts.js';
import { kindStatus } from './status.js';

const clientSecretRef = (description: string) =>
  z
    .strictObject({
      name: dnsSubdomain('Name of the Secret.'),
      clientIdKey: secretKeyName('Key holding the client id.').default('client_id'),
      clientSecretKey: secretKeyName('Key holding the client secret.').default('client_secret'),
    })
    .describe(description);

const credentials = withRules(
  z
    .strictObject({
      secretRef: clientSecretRef(
        'Use a client that already exists at the IdP; its id and secret are read from a Secret.',
      ).optional(),
      dynamicRegistration: z
        .strictObject({
          initialAccessTokenSecretRef: secretKeySelector(
            'Secret key holding the initial access token the IdP issued for registration.',
            'token',
          ),
          clientName: z
            .string()
            .min(1)
            .max(255)
            .optional()
            .describe('client_name to register; namespace/name of this OidcClient when omitted.'),
        })
        .optional()
        .describe(
          'Register the client with RFC 7591 dynamic registration; credentials go to a Secret owned by this OidcClient, and the registration access token is kept for updates and deletion (RFC 7592).',
        ),
      keycloak: z
        .strictObject({
          url: httpUrl('Base URL of Keycloak, e.g. https://sso.example.com.'),
          realm: z.string().min(1).max(255).describe('Realm the client is created in.'),
          adminCredentialsSecretRef: clientSecretRef(
            'A Keycloak client with a service account allowed to manage clients in the realm (realm-management manage-clients).',
          ),
        })
        .optional()
        .describe('Create and keep the client in sync through the Keycloak admin REST API.'),
    })
    .describe(
      'How the operator obtains client credentials: an existing Secret, RFC 7591 dynamic registration, or the Keycloak admin API.',
    ),
  [
    exactlyOneOf(
      ['secretRef', 'dynamicRegistration', 'keycloak'],
      'set exactly one of credentials.secretRef, credentials.dynamicRegistration or credentials.keycloak',
    ),
  ],
);

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const oidcClientSpec = withRules(
  z
    .strictObject({
      issuer: httpUrl(
        'Issuer URL; discovery reads <issuer>/.well-known/openid-configuration and the issuer it returns must match exactly.',
      ),
      clientId: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe(
          'The client id. With credentials.secretRef it overrides the id stored in the Secret; with credentials.keycloak it is the clientId created in the realm (required); with dynamic registration the IdP assigns it, so it must be omitted.',
        ),
      credentials,
      redirectUris: setList(httpUrl('A redirect URI.'), 32)
        .default([])
        .describe(
          'Redirect URIs besides https://<host>/api/v1.0/callback/ (and https://<host>/mounts/auth/callback with SMB mounts) of every DriveInstance that references this client, which are always registered.',
        ),
      postLogoutRedirectUris: setList(httpUrl('A post-logout redirect URI.'), 32)
        .default([])
        .describe(
          'Post-logout redirect URIs besides https://<host>/api/v1.0/logout-callback/ (and https://<host>/mounts/ with SMB mounts) of every referencing DriveInstance.',
        ),
      scopes: setList(z.string().min(1).max(255).regex(SCOPE, 'must be an OAuth scope token'), 16)
        .min(1)
        .default(['openid', 'email', 'profile'])
        .describe('Scopes Drive requests at login; must include openid.'),
      storeClaims: setList(z.string().min(1).max(255), 32)
        .default([])
        .describe('Claims Drive stores on the user (OIDC_STORE_CLAIMS).'),
      userInfo: z
        .strictObject({
          fullNameFields: setList(z.string().min(1).max(255), 8)
            .min(1)
            .default(['given_name', 'family_name'])
            .describe('Claims joined into the user full name.'),
          shortNameField: z
            .string()
            .min(1)
            .max(255)
            .default('given_name')
            .describe('Claim used as the short name.'),
        })
        .prefault({})
        .describe('Which standard claims make up the user name in Drive.'),
      caSecretRef: secretKeySelector(
        'A PEM CA bundle for an issuer with a private certificate authority.',
        'ca.crt',
      ).optional(),
      deletionPolicy: z
        .enum(['Delete', 'Orphan'])
        .default('Delete')
        .describe(
          'What deleting this OidcClient does to a client the operator registered: Delete removes it at the IdP, Orphan leaves it. Clients from credentials.secretRef are never touched.',
        ),
    })
    .describe('Desired state of an OIDC client Drive logs users in with.'),
  [
    {
      rule: '!has(self.credentials.keycloak) || has(self.clientId)',
      message: 'clientId is required with credentials.keycloak: it names the client to create',
      fieldPath: '.clientId',
    },
    {
      rule: '!has(self.credentials.dynamicRegistration) || !has(self.clientId)',
      message: 'clientId must be omitted with credentials.dynamicRegistration: the IdP assigns it',
      fieldPath: '.clientId',
    },
    {
      rule: "self.scopes.exists(s, s == 'openid')",
      message: 'scopes must include openid',
      fieldPath: '.scopes',
    },
  ],
);

export const oidcClientStatus = kindStatus(
  {
    clientId: z.string().optional().describe('The client id at the IdP.'),
    credentialsSecretRef: z
      .strictObject({ name: z.string().describe('Secret name.') })
      .optional()
      .describe('Secret holding client_id and client_secret for Drive.'),
    endpoints: z
      .strictObject({
        authorization: z.string().optional().describe('authorization_endpoint.'),
        token: z.string().optional().describe('token_endpoint.'),
        userinfo: z.string().optional().describe('userinfo_endpoint.'),
        jwks: z.string().optional().describe('jwks_uri.'),
        endSession: z.string().optional().describe('end_session_endpoint.'),
        introspection: z.string().optional().describe('introspection_endpoint.'),
      })
      .optional()
      .describe('Endpoints read from discovery.'),
    lastDriftCheckTime: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe('When the client at the IdP was last compared with the spec.'),
  },
  'Observed state of the client.',
);

export const oidcClient = defineKind({
  kind: 'OidcClient',
  plural: 'oidcclients',
  singular: 'oidcclient',
  shortNames: ['oidc'],
  description:
    'An OIDC client at any standard identity provider, verified by discovery and a credential check, optionally registered and kept in sync by the operator.',
  spec: oidcClientSpec,
  status: oidcClientStatus,
  maxNameLength: 40,
  urlJsonPath: '.spec.issuer',
  extraColumns: [],
  conditions: {
    DiscoveryReachable: 'The discovery document was fetched and its issuer matches.',
    CredentialsValid: 'The token endpoint accepted the client credentials.',
    ClientSynced: 'The client registered at the IdP matches the spec.',
  },
  reasons: {
    IssuerUnreachable: 'Discovery failed; retried with backoff.',
    IssuerMismatch: 'The discovery document names a different issuer.',
    CredentialsInvalid: 'The IdP answered invalid_client.',
    ClientMisconfigured:
      'The credentials are right but the IdP does not let the client use the authorization code flow Drive logs in with.',
    RegistrationFailed: 'The IdP refused the registration or update.',
    ClientDrifted: 'The client at the IdP changed outside the operator and was restored.',
  },
});

export type OidcClientSpec = z.output<typeof oidcClientSpec>;
export type OidcClientStatus = z.output<typeof oidcClientStatus>;

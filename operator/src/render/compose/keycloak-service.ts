// Keycloak for the dev target: the OidcClient's realm, imported at start from a file rendered
// from the OidcClient (Drive's client with its redirect URIs) plus a test user. Secrets stay in
// .env: the realm file names them as ${VARIABLE} placeholders, which Keycloak resolves from its
// environment while importing.
import { loginRedirectUris, logoutRedirectUris } from '../drive-urls.js';
import { objectNames } from '../object-names.js';
import { KEYCLOAK_SECRETS, PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import { secretVariable } from './compose-values.js';
import { LONG_RUNNING, type ComposeService, type ComposeVolume } from './compose-service.js';

const KEYCLOAK_VOLUME = 'keycloak-data';
const MANAGEMENT_PORT = 9000;

export function keycloakRealmFile(realm: string): string {
  return `compose/keycloak/realm-${realm}.json`;
}

/** Drive's endpoints at Keycloak: the browser's through the edge, the backend's direct. */
export function keycloakEndpoints(context: ComposeContext) {
  const { identity } = context.resources;
  const keycloak = identity.spec.credentials.keycloak;
  if (!keycloak) throw new Error('keycloakEndpoints needs credentials.keycloak');
  const issuer = identity.spec.issuer.replace(/\/$/, '');
  const internal = `http://${context.endpoint('apps', SERVICES.keycloak, PORTS.keycloak)}/realms/${keycloak.realm}/protocol/openid-connect`;
  return {
    authorization: `${issuer}/protocol/openid-connect/auth`,
    endSession: `${issuer}/protocol/openid-connect/logout`,
    token: `${internal}/token`,
    userinfo: `${internal}/userinfo`,
    jwks: `${internal}/certs`,
    introspection: `${internal}/token/introspect`,
  };
}

function placeholder(ref: { name: string; key: string }): string {
  return `\${${secretVariable(ref.name, ref.key)}}`;
}

export function keycloakRealm(context: ComposeContext): Record<string, unknown> {
  const { identity, drive, project } = context.resources;
  const keycloak = identity.spec.credentials.keycloak;
  const testUser = project.spec.keycloak?.testUser;
  if (!keycloak || !testUser) throw new Error('keycloakRealm needs credentials.keycloak');
  const origin = `https://${drive.spec.host}`;
  const clientId = identity.spec.clientId ?? identity.name;
  return {
    realm: keycloak.realm,
    enabled: true,
    sslRequired: 'external',
    registrationAllowed: false,
    loginWithEmailAllowed: true,
    clients: [
      {
        clientId,
        name: `La Suite Drive (${drive.spec.host})`,
        enabled: true,
        protocol: 'openid-connect',
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret: placeholder({
          name: objectNames.oidcCredentialsSecret(identity.name),
          key: 'client_secret',
        }),
        standardFlowEnabled: true,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
        serviceAccountsEnabled: false,
        redirectUris: [...loginRedirectUris(drive.spec), ...identity.spec.redirectUris],
        webOrigins: [origin],
        attributes: {
          'post.logout.redirect.uris': [
            ...logoutRedirectUris(drive.spec),
            ...identity.spec.postLogoutRedirectUris,
          ].join('##'),
          // Drive sends a PKCE challenge (OIDC_USE_PKCE); Keycloak then requires one.
          'pkce.code.challenge.method': 'S256',
        },
      },
    ],
    users: [
      {
        username: testUser.username,
        email: testUser.email ?? `${testUser.username}@${drive.spec.host}`,
        emailVerified: true,
        firstName: testUser.firstName,
        lastName: testUser.lastName,
        enabled: true,
        credentials: [
          { type: 'password', value: placeholder(KEYCLOAK_SECRETS.testUser), temporary: false },
        ],
      },
    ],
  };
}

export function keycloakService(context: ComposeContext): {
  services: ComposeService[];
  volumes: ComposeVolume[];
  files: Map<string, string>;
} {
  const { identity, project } = context.resources;
  const keycloak = identity.spec.credentials.keycloak;
  if (!keycloak || !project.spec.keycloak) return { services: [], volumes: [], files: new Map() };
  const clientSecret = {
    name: objectNames.oidcCredentialsSecret(identity.name),
    key: 'client_secret',
  };
  const file = keycloakRealmFile(keycloak.realm);
  const usedBy = 'the project Keycloak';
  return {
    files: new Map([[file, `${JSON.stringify(keycloakRealm(context), null, 2)}\n`]]),
    volumes: [{ name: KEYCLOAK_VOLUME, role: 'apps' }],
    services: [
      {
        name: SERVICES.keycloak,
        role: 'apps',
        definition: {
          image: project.spec.keycloak.image,
          command: [
            'start-dev',
            // Imports the realm files of data/import; a realm that exists already is kept.
            '--import-realm',
            `--http-port=${String(PORTS.keycloak)}`,
            `--hostname=${keycloak.url.replace(/\/$/, '')}`,
            // Behind the edge, which terminates TLS.
            '--proxy-headers=xforwarded',
            '--health-enabled=true',
          ],
          environment: {
            KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
            KC_BOOTSTRAP_ADMIN_PASSWORD: context.secrets.interpolation(
              KEYCLOAK_SECRETS.admin,
              usedBy,
            ),
            // Resolved in the realm file's placeholders.
            [secretVariable(clientSecret.name, clientSecret.key)]: context.secrets.interpolation(
              clientSecret,
              usedBy,
            ),
            [secretVariable(KEYCLOAK_SECRETS.testUser.name, KEYCLOAK_SECRETS.testUser.key)]:
              context.secrets.interpolation(KEYCLOAK_SECRETS.testUser, usedBy),
          },
          volumes: [
            `./${file}:/opt/keycloak/data/import/realm-${keycloak.realm}.json:ro`,
            `${KEYCLOAK_VOLUME}:/opt/keycloak/data/h2`,
          ],
          security_opt: ['no-new-privileges:true'],
          ...LONG_RUNNING,
          // The image has bash but neither curl nor wget.
          healthcheck: {
            test: [
              'CMD-SHELL',
              `exec 3<>/dev/tcp/127.0.0.1/${String(MANAGEMENT_PORT)} && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '"UP"' <&3`,
            ],
            interval: '10s',
            timeout: '5s',
            retries: 12,
            start_period: '60s',
          },
        },
      },
    ],
  };
}

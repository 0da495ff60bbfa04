// Keycloak (from Maven Central, built by hack/install-keycloak.sh) on loopback: in-memory H2, local
// caches (no JGroups cluster, which would bind a non-loopback address), plain HTTP, and a bootstrap
// admin in the master realm.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, MissingPrerequisiteError, version } from './binaries.js';
import { freePorts, httpOk, serverDirectory, startServer } from './processes.js';

export interface Keycloak {
  /** Base URL; realm issuers are `${url}/realms/<realm>`. */
  url: string;
  port: number;
  /** Health endpoints live here, not on `port`. */
  managementPort: number;
  /** The master realm's bootstrap admin, for the password grant with `admin-cli`. */
  adminUsername: string;
  adminPassword: string;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

const INSTALL_KEYCLOAK = 'bash hack/install-keycloak.sh';

/** The installed distribution and the JDK its build step ran with. */
export function keycloakInstall(): { home: string; javaHome: string } {
  const pinned = version('KEYCLOAK_VERSION');
  const home = join(CACHE_DIR, `keycloak-${pinned}`);
  try {
    const javaHome = readFileSync(join(home, 'java-home'), 'utf8').trim();
    accessSync(join(javaHome, 'bin/java'), constants.X_OK);
    return { home, javaHome };
  } catch {
    throw new MissingPrerequisiteError(
      `Keycloak ${pinned} (or the JDK it was built with) is not in ${home}: run ${INSTALL_KEYCLOAK}`,
    );
  }
}

export async function startKeycloak(options: { detached?: boolean } = {}): Promise<Keycloak> {
  const { home, javaHome } = keycloakInstall();
  const directory = await serverDirectory('keycloak');
  const { http, management } = await freePorts('http', 'management');
  const url = `http://127.0.0.1:${String(http)}`;
  const adminUsername = 'admin';
  const adminPassword = randomBytes(16).toString('hex');
  const aotCache = join(home, 'lib/keycloak.aot');
  const javaOptions = [
    // Its default is inside the shared install directory, which concurrent servers would share.
    `-Dquarkus.transaction-manager.object-store.directory=${join(directory, 'transaction-logs')}`,
    ...(existsSync(aotCache) ? [`-XX:AOTCache=${aotCache}`] : []),
  ];
  const server = await startServer(
    'keycloak',
    join(home, 'bin/kc.sh'),
    [
      'start',
      '--optimized',
      '--cache=local',
      '--http-enabled=true',
      '--http-host=127.0.0.1',
      `--http-port=${String(http)}`,
      `--http-management-port=${String(management)}`,
      // Fixed, so issuers do not depend on the Host a request came with.
      `--hostname=${url}`,
    ],
    {
      env: {
        JAVA_HOME: javaHome,
        JAVA_OPTS_APPEND: javaOptions.join(' '),
        KC_BOOTSTRAP_ADMIN_USERNAME: adminUsername,
        KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      },
      logFile: join(directory, 'keycloak.log'),
      detached: options.detached,
      directory,
      // 7.5 s with the AOT cache, 11 s without (JDK < 25), more on a busy 2-core machine.
      timeoutMs: 120_000,
      ready: () => httpOk(`http://127.0.0.1:${String(management)}/health/ready`),
    },
  );
  return {
    url,
    port: http,
    managementPort: management,
    adminUsername,
    adminPassword,
    directory,
    pids: [server.pid],
    stop: () => server.stop(),
  };
}

export interface KeycloakRealm {
  realm: string;
  issuer: string;
  /** Confidential client whose service account has realm-management's client roles. */
  managerClientId: string;
  managerClientSecret: string;
  /** Confidential client whose service account has no role: the admin API refuses it. */
  unprivilegedClientId: string;
  unprivilegedClientSecret: string;
  /** A user who can log in without any required action. */
  username: string;
  password: string;
}

/** Token endpoint call with form parameters; returns the access token. */
export async function fetchToken(
  issuer: string,
  parameters: Record<string, string>,
): Promise<string> {
  const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams(parameters),
  });
  if (!response.ok) {
    throw new Error(
      `token request to ${issuer} failed: ${String(response.status)} ${await response.text()}`,
    );
  }
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Creates `realm` with the master admin: a client-manager client (client_credentials, with
 * realm-management's manage-clients, view-clients and query-clients), an unprivileged one, and a
 * user with a password.
 */
export async function createRealmWithClientManager(
  keycloak: Keycloak,
  realm: string,
): Promise<KeycloakRealm> {
  const adminToken = await fetchToken(`${keycloak.url}/realms/master`, {
    grant_type: 'password',
    client_id: 'admin-cli',
    username: keycloak.adminUsername,
    password: keycloak.adminPassword,
  });
  const admin = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(`${keycloak.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(
        `${method} /admin/realms${path} failed: ${String(response.status)} ${await response.text()}`,
      );
    }
    return response;
  };
  const adminJson = async <T>(path: string): Promise<T> =>
    (await (await admin('GET', path)).json()) as T;
  /** The internal id of the client with this clientId. */
  const clientUuid = async (clientId: string): Promise<string> => {
    const [found] = await adminJson<{ id: string }[]>(
      `/${realm}/clients?clientId=${encodeURIComponent(clientId)}`,
    );
    if (found === undefined) throw new Error(`realm ${realm} has no client ${clientId}`);
    return found.id;
  };

  /** A confidential client allowed client_credentials only; returns its secret. */
  const serviceAccountClient = async (clientId: string): Promise<string> => {
    const secret = randomBytes(24).toString('hex');
    await admin('POST', `/${realm}/clients`, {
      clientId,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      secret,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
    });
    return secret;
  };

  await admin('POST', '', { realm, enabled: true });

  const managerClientId = 'client-manager';
  const managerClientSecret = await serviceAccountClient(managerClientId);
  const unprivilegedClientId = 'unprivileged';
  const unprivilegedClientSecret = await serviceAccountClient(unprivilegedClientId);
  const managerUuid = await clientUuid(managerClientId);
  const serviceAccount = await adminJson<{ id: string }>(
    `/${realm}/clients/${managerUuid}/service-account-user`,
  );
  const realmManagement = await clientUuid('realm-management');
  const roles = await Promise.all(
    ['manage-clients', 'view-clients', 'query-clients'].map((role) =>
      adminJson<{ id: string; name: string }>(`/${realm}/clients/${realmManagement}/roles/${role}`),
    ),
  );
  await admin(
    'POST',
    `/${realm}/users/${serviceAccount.id}/role-mappings/clients/${realmManagement}`,
    roles,
  );

  const username = 'alice';
  const password = randomBytes(12).toString('hex');
  // Every profile attribute set and the email verified: no "update profile" step at login.
  await admin('POST', `/${realm}/users`, {
    username,
    enabled: true,
    email: `${username}@example.com`,
    emailVerified: true,
    firstName: 'Alice',
    lastName: 'Test',
    credentials: [{ type: 'password', value: password, temporary: false }],
  });

  return {
    realm,
    issuer: `${keycloak.url}/realms/${realm}`,
    managerClientId,
    managerClientSecret,
    unprivilegedClientId,
    unprivilegedClientSecret,
    username,
    password,
  };
}

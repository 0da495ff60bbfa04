// Seed §7.4: one configuration contract, two packagings. The same resources rendered for
// Kubernetes and for Compose give Drive the same environment: the same variables, the same plain
// values, the same Secret keys (a secretKeyRef in a cluster, .env or a file in Compose). What
// differs is only where services are, listed here with its Compose value.
import { describe, expect, it } from 'vitest';
import type { ResolvedIdentity } from '../../contract/drive-env.js';
import { SECRET_FILE_ENV_NAMES } from '../../contract/managed-env.js';
import { counterRandom } from '../../test-support/render-inputs.js';
import { renderExample } from '../../test-support/compose-render.js';
import { renderDrive } from '../drive-objects.js';
import { MEDIA_GATEWAY_IMAGE } from '../images.js';
import {
  managedEditorRoute,
  resolveEditor,
  resolveIdentity,
  resolveStorage,
} from '../resolve-references.js';
import { escapeCompose, secretVariable } from './compose-values.js';

const NAMESPACE = 'drive';

interface ContainerEnv {
  name: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** What a cluster gives Drive: the env ConfigMap's values and the backend's secretKeyRefs. */
function kubernetesEnvironment(rendered: Awaited<ReturnType<typeof renderExample>>) {
  const { drive, storage, identity, editors, project } = rendered.resources;
  const issuer = identity.spec.issuer;
  // A cluster reads the IdP's discovery: for Keycloak, every endpoint on its public host.
  const keycloak = `${issuer}/protocol/openid-connect`;
  const endpoints: ResolvedIdentity['endpoints'] | undefined = project.spec.keycloak
    ? {
        authorization: `${keycloak}/auth`,
        token: `${keycloak}/token`,
        userinfo: `${keycloak}/userinfo`,
        jwks: `${keycloak}/certs`,
        endSession: `${keycloak}/logout`,
        introspection: `${keycloak}/token/introspect`,
      }
    : project.spec.identity.endpoints;
  if (!endpoints) throw new Error('the example pins no IdP endpoints');
  const { objects } = renderDrive({
    instance: { name: drive.name, namespace: NAMESPACE, spec: drive.spec, annotations: {} },
    storage: resolveStorage(storage.name, storage.s3, {}),
    identity: resolveIdentity(identity.name, identity.spec, endpoints),
    editors: editors.map((editor) =>
      editor.spec.external
        ? resolveEditor(editor.spec, editor.spec.external.discoveryUrl)
        : managedEditorRoute(editor.name, NAMESPACE, editor.spec),
    ),
    existingSecrets: {},
    mediaGatewayImage: MEDIA_GATEWAY_IMAGE,
    randomValue: counterRandom(),
  });
  const configMap = objects.find((object) => object.kind === 'ConfigMap') as unknown as {
    data: Record<string, string>;
  };
  const backend = objects.find(
    (object) => object.kind === 'Deployment' && object.metadata.name === `${drive.name}-backend`,
  ) as unknown as { spec: { template: { spec: { containers: { env: ContainerEnv[] }[] } } } };
  const refs = Object.fromEntries(
    (backend.spec.template.spec.containers[0]?.env ?? []).flatMap((entry) =>
      entry.valueFrom?.secretKeyRef ? [[entry.name, entry.valueFrom.secretKeyRef]] : [],
    ),
  );
  return { values: configMap.data, refs };
}

/** Where Compose puts what a cluster reaches by Service names, per example. */
const PACKAGING: Record<string, Record<string, string>> = {
  dev: {
    DJANGO_ALLOWED_HOSTS: 'drive.dev.lan,backend',
    WOPI_COLLABORA_DISCOVERY_URL: 'http://collabora:9980/hosting/discovery',
    // Drive's backend calls Keycloak inside the project; browsers use its public host.
    OIDC_OP_TOKEN_ENDPOINT: 'http://keycloak:8080/realms/drive/protocol/openid-connect/token',
    OIDC_OP_USER_ENDPOINT: 'http://keycloak:8080/realms/drive/protocol/openid-connect/userinfo',
    OIDC_OP_JWKS_ENDPOINT: 'http://keycloak:8080/realms/drive/protocol/openid-connect/certs',
  },
  'single-host': {
    DJANGO_ALLOWED_HOSTS: 'drive.example.com,backend',
    WOPI_COLLABORA_DISCOVERY_URL: 'http://collabora:9980/hosting/discovery',
  },
};

describe.each(Object.keys(PACKAGING))('the %s example for Kubernetes and for Compose', (name) => {
  it('gives Drive the same environment', async () => {
    const rendered = await renderExample(name);
    const cluster = kubernetesEnvironment(rendered);
    const compose = rendered.driveEnvironment.environment;
    const fileFor = (variable: string) =>
      (SECRET_FILE_ENV_NAMES as readonly string[]).includes(`${variable}_FILE`) &&
      `${variable}_FILE` in compose;
    const composeNames = Object.keys(compose)
      .map((variable) =>
        variable.endsWith('_FILE') && !(variable in cluster.values) && !(variable in cluster.refs)
          ? variable.slice(0, -'_FILE'.length)
          : variable,
      )
      .sort();
    expect(composeNames).toEqual(
      [...Object.keys(cluster.values), ...Object.keys(cluster.refs)].sort(),
    );
    const packaging = PACKAGING[name] ?? {};
    for (const [variable, value] of Object.entries(cluster.values)) {
      const expected = packaging[variable] ?? escapeCompose(value);
      expect(compose[variable], variable).toBe(expected);
    }
    for (const [variable, ref] of Object.entries(cluster.refs)) {
      const contract = rendered.driveEnvironment.contract.find((entry) => entry.name === variable);
      // The very same Secret key in both: Compose resolves it from .env, a file, or what it runs.
      expect(contract && 'secretKeyRef' in contract ? contract.secretKeyRef : undefined).toEqual(
        ref,
      );
      // Written as a reference to .env, a file, or what the project provides itself (a service
      // name, a URL around a generated password): never as a value a cluster keeps secret.
      const written = compose[variable] ?? compose[`${variable}_FILE`] ?? '';
      const declared = new Set(rendered.variables.map((entry) => entry.name));
      for (const match of written.matchAll(/\$\{([A-Z0-9_]+):\?/g))
        expect(declared.has(match[1] ?? ''), `${variable} refers to ${match[1] ?? ''}`).toBe(true);
      if (written.startsWith('${'))
        expect(written.startsWith(`\${${secretVariable(ref.name, ref.key)}:?`), variable).toBe(
          true,
        );
      if (fileFor(variable)) expect(written).toMatch(/^\/run\/lasuite\/s3\//);
    }
  });
});

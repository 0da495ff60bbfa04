// Every Compose file lasuitectl writes, held to compose-go, the loader `docker compose` itself
// uses: the Compose Specification JSON schema on the file as written, then the whole project
// loaded with its .env (interpolation, relative paths, depends_on consistency).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../repo-root.js';
import { composeFixture, type ComposeFixture } from '../test-support/compose-run.js';
import { lasuitectl } from '../test-support/lasuitectl.js';
import { COMPOSE_EXAMPLES, composeExample } from '../test-support/compose-render.js';
import { loadComposeProject, validateComposeSchema } from '../testbed/compose-config.js';
import { startOidcProvider, type OidcProvider } from '../testbed/oidc-provider.js';

const PINNED = /:[A-Za-z0-9_][A-Za-z0-9_.-]*$|@sha256:[a-f0-9]{64}$/;

describe.each(COMPOSE_EXAMPLES)('the %s example rendered for Compose', (name) => {
  let fixture: ComposeFixture;
  let files: string[];
  beforeAll(async () => {
    fixture = await composeFixture([composeExample(name)]);
    files = (await readFile(join(fixture.directory, 'compose/.rendered-files'), 'utf8'))
      .split('\n')
      .filter((path) => /^compose(\.[a-z]+)?\.yaml$/.test(path));
  });
  afterAll(async () => {
    await fixture.remove();
  });

  it('validates against the Compose Specification schema', async () => {
    expect(files.length).toBeGreaterThan(0);
    await validateComposeSchema(files.map((file) => join(fixture.directory, file)));
  });

  it('loads with its .env as docker compose loads it, every image pinned', async () => {
    for (const file of files) {
      const project = await fixture.load(file);
      for (const [service, definition] of Object.entries(project.services)) {
        expect(definition.image, `${file} ${service}`).toMatch(PINNED);
        for (const [variable, value] of Object.entries(definition.environment ?? {}))
          expect(value, `${file} ${service} ${variable}`).not.toBeNull();
      }
    }
  });
});

describe('a Compose project with a secret left unset', () => {
  it('does not load, and says which variable to set', async () => {
    const fixture = await composeFixture([composeExample('single-host')]);
    try {
      const env = join(fixture.directory, '.env');
      await writeFile(
        env,
        (await readFile(env, 'utf8')).replace(
          /^DRIVE_OIDC__CLIENT_SECRET=.*$/m,
          'DRIVE_OIDC__CLIENT_SECRET=',
        ),
      );
      await expect(fixture.load()).rejects.toThrow(
        /required variable DRIVE_OIDC__CLIENT_SECRET is missing a value: set it in \.env, see the comment above it/,
      );
    } finally {
      await fixture.remove();
    }
  });
});

describe('the checked-in compose.yaml', () => {
  it('loads with a .env like the one lasuitectl writes', async () => {
    const fixture = await composeFixture([composeExample('dev')]);
    try {
      const project = await loadComposeProject({
        files: [join(REPO_ROOT, 'compose.yaml')],
        projectDirectory: REPO_ROOT,
        envFiles: [join(fixture.directory, '.env')],
      });
      expect(project.name).toBe('lasuite-drive');
      expect(Object.keys(project.services)).toContain('keycloak');
    } finally {
      await fixture.remove();
    }
  });
});

describe('an external IdP', () => {
  let idp: OidcProvider;
  beforeAll(async () => {
    idp = await startOidcProvider();
  });
  afterAll(async () => {
    await idp.stop();
  });

  it('is read from its discovery document while rendering, as the operator reads it', async () => {
    const single = composeExample('single-host');
    const resources = Object.fromEntries(
      await Promise.all(
        ['drive.yaml', 'storage.yaml', 'editors.yaml'].map(async (file) => [
          file,
          await readFile(join(single, file), 'utf8'),
        ]),
      ),
    ) as Record<string, string>;
    resources['identity.yaml'] = `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: OidcClient
metadata: { name: drive-login }
spec:
  issuer: ${idp.issuer}
  credentials: { secretRef: { name: drive-oidc } }
`;
    resources['project.yaml'] = `apiVersion: lasuite.selfhost.dev/v1alpha1
kind: ComposeProject
metadata: { name: drive }
spec: { target: production }
`;
    // composeFixture renders offline: this one must read discovery, so it goes through the CLI.
    const work = await mkdtemp(join(tmpdir(), 'compose-discovery-'));
    try {
      await mkdir(join(work, 'in'));
      for (const [file, text] of Object.entries(resources))
        await writeFile(join(work, 'in', file), text);
      const result = await lasuitectl('compose', join(work, 'in'), '-o', join(work, 'out'));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`reading the discovery document of ${idp.issuer}`);
      const compose = await readFile(join(work, 'out', 'compose.yaml'), 'utf8');
      const discovery = (await (
        await fetch(`${idp.issuer}/.well-known/openid-configuration`)
      ).json()) as { token_endpoint: string; authorization_endpoint: string };
      expect(compose).toContain(`OIDC_OP_TOKEN_ENDPOINT: ${discovery.token_endpoint}`);
      expect(compose).toContain(
        `OIDC_OP_AUTHORIZATION_ENDPOINT: ${discovery.authorization_endpoint}`,
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

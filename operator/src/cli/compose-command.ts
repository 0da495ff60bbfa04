// `lasuitectl compose`: the Compose project the given resources become, written into a directory.
// Rendered files are replaced as a whole (written to a temporary name, then renamed); .env keeps
// every value it already has; files an earlier render wrote and this one does not are removed.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { formatDiagnostic, formatPath } from '../manifests/diagnostics.js';
import type { ValidResource } from '../manifests/validate-resources.js';
import { discoveredEndpoints, discoverIssuer, DiscoveryError } from '../ports/oidc/discovery.js';
import { ComposeError, composeResources } from '../render/compose/compose-resources.js';
import { ComposeValueError } from '../render/compose/compose-values.js';
import { renderEnvFile } from '../render/compose/env-file.js';
import {
  renderCompose,
  type ComposeFacts,
  type RenderedCompose,
} from '../render/compose/render-compose.js';
import { randomSecret } from '../render/random-secret.js';
import type { CommandIO } from './command-io.js';
import { loadValid } from './validate-command.js';

export interface ComposeOptions {
  output: string;
  /** Never read the IdP's discovery document; its endpoints must be in the ComposeProject. */
  offline: boolean;
}

/** Lists what the previous render wrote, so files it no longer produces are removed. */
export const RENDERED_FILES_LIST = 'compose/.rendered-files';
export const ENV_FILE = '.env';

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written beside the target, then renamed over it: a reader sees the old file or the new one. */
async function writeAtomically(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${String(process.pid)}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

function report(io: CommandIO, resources: readonly ValidResource[], error: ComposeError): void {
  const resource = resources.find(
    (entry) => entry.object.kind === error.kind && entry.object.metadata.name === error.resource,
  );
  io.stderr(
    `${formatDiagnostic({
      severity: 'error',
      file: resource?.document.file ?? '(resources)',
      document: resource?.document.index ?? 0,
      position: resource?.document.positionOf(error.path),
      resource: `${error.kind} ${error.resource}`,
      path: formatPath(error.path),
      message: error.message,
      hint: error.hint,
    })}\n`,
  );
}

async function discover(
  issuer: string,
  io: CommandIO,
): Promise<ComposeFacts['discoveredEndpoints']> {
  io.stdout(`reading the discovery document of ${issuer}\n`);
  const endpoints = discoveredEndpoints((await discoverIssuer(issuer)).serverMetadata());
  const { authorization, token, userinfo, jwks } = endpoints;
  if (!authorization || !token || !userinfo || !jwks) {
    throw new DiscoveryError(
      `the discovery document of ${issuer} lacks one of authorization_endpoint, token_endpoint, userinfo_endpoint, jwks_uri, which Drive needs`,
      true,
    );
  }
  return {
    authorization,
    token,
    userinfo,
    jwks,
    ...(endpoints.endSession === undefined ? {} : { endSession: endpoints.endSession }),
    ...(endpoints.introspection === undefined ? {} : { introspection: endpoints.introspection }),
  };
}

async function writeProject(
  output: string,
  rendered: RenderedCompose,
  projectName: string,
): Promise<{ generated: string[]; missing: string[]; removed: string[] }> {
  const listPath = join(output, RENDERED_FILES_LIST);
  const previous = ((await readIfPresent(listPath)) ?? '').split('\n').filter(Boolean);
  const paths = [...rendered.files.keys(), RENDERED_FILES_LIST].sort();
  for (const [path, content] of rendered.files) await writeAtomically(join(output, path), content);
  await writeAtomically(listPath, `${paths.join('\n')}\n`);
  const removed: string[] = [];
  for (const path of previous) {
    // Only paths this command wrote itself, inside the output directory.
    const target = resolve(output, path);
    if (paths.includes(path) || relative(resolve(output), target).startsWith('..')) continue;
    await rm(target, { force: true });
    removed.push(path);
  }
  const envPath = join(output, ENV_FILE);
  const env = renderEnvFile(
    await readIfPresent(envPath),
    rendered.variables,
    projectName,
    randomSecret,
  );
  await writeAtomically(envPath, env.text, 0o600);
  return { generated: env.generated, missing: env.missing, removed };
}

function summary(
  output: string,
  rendered: RenderedCompose,
  written: Awaited<ReturnType<typeof writeProject>>,
) {
  const lines = [
    `wrote ${String(rendered.files.size)} files into ${output}: ${rendered.composeFiles.join(', ')}, ${ENV_FILE} and compose/`,
  ];
  if (written.removed.length > 0)
    lines.push(`removed what this render no longer produces: ${written.removed.join(', ')}`);
  if (written.generated.length > 0)
    lines.push(`${ENV_FILE}: generated ${written.generated.join(', ')}`);
  if (written.missing.length > 0)
    lines.push(
      `${ENV_FILE}: set ${written.missing.join(', ')} (each is described in ${ENV_FILE}); docker compose refuses to start without them`,
    );
  lines.push(
    `public hosts (DNS, or /etc/hosts on a dev machine, and the certificate): ${rendered.publicHosts.join(' ')}`,
  );
  for (const note of rendered.notes) lines.push(`note: ${note}`);
  lines.push(
    rendered.composeFiles.length === 1
      ? `start it: cd ${output} && docker compose up -d`
      : `start it: copy ${output} to each VM, then run docker compose -f compose.<role>.yaml up -d there (storage first, then apps, then edge)`,
  );
  return `${lines.join('\n')}\n`;
}

export async function composeCommand(
  paths: readonly string[],
  options: ComposeOptions,
  io: CommandIO,
): Promise<number> {
  const result = await loadValid(paths, io);
  if (!result) {
    io.stderr('nothing rendered: fix the errors above first\n');
    return 1;
  }
  const given = result.resources.map((resource) => ({
    kind: resource.object.kind,
    name: resource.object.metadata.name,
    spec: resource.object.spec,
  }));
  try {
    const resources = composeResources(given);
    const { project, identity } = resources;
    const facts: ComposeFacts = {};
    if (!project.spec.keycloak && !project.spec.identity.endpoints && !options.offline)
      facts.discoveredEndpoints = await discover(identity.spec.issuer, io);
    const rendered = renderCompose(resources, facts);
    const written = await writeProject(options.output, rendered, project.name);
    io.stdout(summary(options.output, rendered, written));
    return 0;
  } catch (error) {
    if (error instanceof ComposeError) report(io, result.resources, error);
    else if (error instanceof ComposeValueError || error instanceof DiscoveryError)
      io.stderr(`error: ${error.message}\n`);
    else throw error;
    io.stderr('nothing rendered\n');
    return 1;
  }
}

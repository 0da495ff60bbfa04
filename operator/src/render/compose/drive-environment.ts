// Drive's environment in a Compose project: the same contract function the Kubernetes renderer
// calls (contract/drive-env.ts), with Compose's topology, and each Secret reference written as
// Compose writes one (`${VARIABLE}` from .env, a known value, or a file).
import {
  driveEnvironment,
  DriveEnvError,
  type DriveEnvVar,
  type ResolvedEditor,
  type ResolvedIdentity,
} from '../../contract/drive-env.js';
import { SECRET_FILE_ENV_NAMES } from '../../contract/managed-env.js';
import { mediaAuthMode, mediaAuthOriginalUrlHeader, type MediaAuthMode } from '../media-auth.js';
import {
  djangoSecretKey,
  redisUrl,
  resolveDatabase,
  resolveEditor,
  resolveIdentity,
  resolveStorage,
} from '../resolve-references.js';
import { PORTS, SERVICES, type ComposeContext } from './compose-context.js';
import { ComposeError } from './compose-resources.js';
import { escapeCompose, reference } from './compose-values.js';

/** Host names the backend is called by inside the project (its healthcheck). */
export const INTERNAL_BACKEND_HOSTS = [SERVICES.backend];

export interface ComposeDriveEnvironment {
  /** What the contract produced, before Compose wrote it: the Kubernetes renderer sees the same. */
  contract: DriveEnvVar[];
  /** Variable → value as compose.yaml writes it. */
  environment: Record<string, string>;
  mediaAuth: MediaAuthMode;
}

export function composeMediaAuthMode(context: ComposeContext): MediaAuthMode {
  const { drive, project } = context.resources;
  const spec = drive.spec;
  // The DriveInstance's edge is a cluster ingress; the Compose edge decides the auth step here.
  return mediaAuthMode({
    ...spec,
    edge: { ...spec.edge, type: project.spec.edge.type === 'nginx' ? 'nginx' : 'traefik' },
  });
}

/** The editor's discovery, as Drive's worker reaches it inside the project. */
export function editorDiscoveryUrl(context: ComposeContext, wopiClient: string): string {
  return `http://${context.endpoint('apps', wopiClient, PORTS.collabora)}/hosting/discovery`;
}

export function resolvedEditors(context: ComposeContext): ResolvedEditor[] {
  return context.resources.editors.map((editor) =>
    resolveEditor(
      editor.spec,
      editor.spec.external?.discoveryUrl ?? editorDiscoveryUrl(context, editor.name),
    ),
  );
}

/**
 * An environment contract (Drive's, or one of our services') as compose.yaml writes it: values
 * escaped, Secret keys resolved as the project provides them. `fileVariables` are the `<NAME>_FILE`
 * variables the consumer reads a secret from when the project only has it as a file.
 */
export function composeEnvironment(
  context: ComposeContext,
  contract: readonly DriveEnvVar[],
  fileVariables: readonly string[] = [],
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const entry of contract) {
    if ('value' in entry) {
      environment[entry.name] = escapeCompose(entry.value);
      continue;
    }
    const ref = 'secretKeyRef' in entry ? entry.secretKeyRef : entry.configMapKeyRef;
    const value = context.secrets.value(ref, context.usedBy(ref.name));
    if ('file' in value) {
      if (!fileVariables.includes(`${entry.name}_FILE`))
        throw new ComposeError(
          'DriveInstance',
          context.resources.drive.name,
          ['spec'],
          `${entry.name} would have to come from a file, which its reader does not read it from`,
        );
      environment[`${entry.name}_FILE`] = value.file;
    } else if ('variable' in value) {
      environment[entry.name] = reference(context.secrets.variable(value.variable));
    } else if ('literal' in value) environment[entry.name] = escapeCompose(value.literal);
    else environment[entry.name] = value.template;
  }
  return environment;
}

export function composeDriveEnvironment(
  context: ComposeContext,
  endpoints: ResolvedIdentity['endpoints'],
): ComposeDriveEnvironment {
  const { drive, storage, identity } = context.resources;
  const mode = composeMediaAuthMode(context);
  let contract: DriveEnvVar[];
  try {
    contract = driveEnvironment({
      spec: drive.spec,
      storage: resolveStorage(storage.name, storage.s3, {}),
      identity: resolveIdentity(identity.name, identity.spec, endpoints),
      editors: resolvedEditors(context),
      database: resolveDatabase(drive.name, drive.spec.database),
      redisUrl: redisUrl(drive.name, drive.spec.redis),
      djangoSecretKey: djangoSecretKey(drive.name),
      topology: {
        internalBackendHosts: INTERNAL_BACKEND_HOSTS,
        wopiSrcBaseUrl: `https://${drive.spec.host}`,
        mediaAuthOriginalUrlHeader: mediaAuthOriginalUrlHeader(mode),
      },
    });
  } catch (error) {
    if (error instanceof DriveEnvError)
      throw new ComposeError('DriveInstance', drive.name, ['spec'], error.message);
    throw error;
  }
  return {
    contract,
    environment: composeEnvironment(context, contract, SECRET_FILE_ENV_NAMES),
    mediaAuth: mode,
  };
}

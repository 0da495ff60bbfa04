// Everything a set of resources becomes as a Docker Compose project: compose.yaml (or one file
// per VM), the edge configuration, the realm and init files, and the list of .env variables. A
// pure function: no clock, no randomness, no I/O (secrets are generated when .env is written), so
// rendering twice gives the same files and the checked-in compose.yaml can be compared.
import { Document, isScalar, isSeq, visit } from 'yaml';
import type { ResolvedIdentity } from '../../contract/drive-env.js';
import {
  composeContext,
  SERVICES,
  type ComposeContext,
  type Role,
} from './compose-context.js';
import { ComposeError, type ComposeResources } from './compose-resources.js';
import type { ComposeService, ComposeVolume } from './compose-service.js';
import type { EnvVariable } from './compose-values.js';
import { dataServices } from './data-services.js';
import { composeDriveEnvironment, type ComposeDriveEnvironment } from './drive-environment.js';
import { driveServices } from './drive-services.js';
import { editorServices } from './editor-services.js';
import { edgeModel, publicHosts } from './edge-model.js';
import { edgeServices } from './edge-services.js';
import { keycloakEndpoints, keycloakService } from './keycloak-service.js';
import { mountsService } from './mounts-service.js';
import { storageConfigFile, storageInitConfig, storageServices } from './storage-services.js';

export interface ComposeFacts {
  /** The external IdP's endpoints, read from its discovery document while rendering. */
  discoveredEndpoints?: ResolvedIdentity['endpoints'];
}

export interface RenderedCompose {
  /** Path relative to the output directory → content. */
  files: Map<string, string>;
  /** The Compose files, in the order `docker compose -f` takes them (one per VM when split). */
  composeFiles: string[];
  variables: EnvVariable[];
  publicHosts: string[];
  /** What the user should know: parts left out, steps to take. */
  notes: string[];
  driveEnvironment: ComposeDriveEnvironment;
}

export const HOSTS_FILE = 'compose/hosts';
const DRIVE_ENVIRONMENT_ANCHOR = 'drive-environment';

const SERVICE_ORDER: string[] = [
  SERVICES.edge,
  SERVICES.mediaGateway,
  SERVICES.backend,
  SERVICES.frontend,
  SERVICES.worker,
  SERVICES.beat,
  SERVICES.maintenance,
  SERVICES.migrate,
  SERVICES.configureWopi,
  SERVICES.mounts,
  SERVICES.storageInit,
  SERVICES.keycloak,
  SERVICES.redis,
  SERVICES.postgres,
  SERVICES.seaweedfs,
];

function rank(service: string): number {
  const index = SERVICE_ORDER.indexOf(service);
  // Editors (named after their WopiClient) come after Drive's own services.
  return index === -1 ? SERVICE_ORDER.indexOf(SERVICES.configureWopi) + 0.5 : index;
}

export function identityEndpoints(
  context: ComposeContext,
  facts: ComposeFacts,
): ResolvedIdentity['endpoints'] {
  const { identity, project } = context.resources;
  if (project.spec.keycloak) return keycloakEndpoints(context);
  const endpoints = project.spec.identity.endpoints ?? facts.discoveredEndpoints;
  if (!endpoints) {
    throw new ComposeError(
      'OidcClient',
      identity.name,
      ['spec', 'issuer'],
      `the endpoints of ${identity.spec.issuer} are unknown: its discovery document was not read`,
      'let lasuitectl compose read it (without --offline), or set spec.identity.endpoints in the ComposeProject',
    );
  }
  return endpoints;
}

/** Drops what crosses VMs: another file's services cannot be waited for. */
function withinRole(service: ComposeService, names: ReadonlySet<string>): ComposeService {
  const dependencies = service.definition.depends_on as Record<string, unknown> | undefined;
  if (!dependencies) return service;
  const kept = Object.fromEntries(Object.entries(dependencies).filter(([name]) => names.has(name)));
  const { depends_on: _dropped, ...rest } = service.definition;
  return {
    ...service,
    definition: Object.keys(kept).length === 0 ? rest : { ...rest, depends_on: kept },
  };
}

function composeFile(
  projectName: string,
  services: ComposeService[],
  volumes: ComposeVolume[],
  environment: Record<string, string>,
  title: string,
): string {
  const sorted = [...services].sort(
    (a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name),
  );
  const usesDriveEnvironment = sorted.some(
    (service) => service.definition.environment === environment,
  );
  const document = new Document(
    {
      name: projectName,
      ...(usesDriveEnvironment ? { 'x-drive-environment': environment } : {}),
      services: Object.fromEntries(
        sorted.map((service) => [
          service.name,
          service.definition.environment === environment
            ? { ...service.definition, environment: {} }
            : service.definition,
        ]),
      ),
      ...(volumes.length === 0
        ? {}
        : { volumes: Object.fromEntries(volumes.map((volume) => [volume.name, {}])) }),
    },
    { aliasDuplicateObjects: false },
  );
  if (usesDriveEnvironment) {
    // One environment for every container of the backend image, written once.
    const node = document.get('x-drive-environment', true) as { anchor?: string };
    node.anchor = DRIVE_ENVIRONMENT_ANCHOR;
    for (const service of sorted) {
      if (service.definition.environment === environment)
        document.setIn(
          ['services', service.name, 'environment'],
          document.createAlias(node as never, DRIVE_ENVIRONMENT_ANCHOR),
        );
    }
  }
  visit(document, {
    Pair(_key, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      // YAML 1.1 readers take a bare `no` for false; Compose wants the string.
      if (key === 'restart' && isScalar(pair.value) && pair.value.value === 'no')
        pair.value.type = 'QUOTE_DOUBLE';
      // A healthcheck's argv on one line reads as the command it is.
      if ((key === 'test' || key === 'entrypoint') && isSeq(pair.value)) pair.value.flow = true;
      return undefined;
    },
  });
  document.commentBefore = [
    ` ${title}`,
    ' Rendered by lasuitectl compose; do not edit: change the resources and render again.',
    ' Secrets come from .env, which lasuitectl compose writes next to this file.',
  ].join('\n');
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function renderCompose(
  resources: ComposeResources,
  facts: ComposeFacts = {},
): RenderedCompose {
  const context = composeContext(resources);
  const endpoints = identityEndpoints(context, facts);
  const driveEnvironment = composeDriveEnvironment(context, endpoints);
  const model = edgeModel(context);
  const data = dataServices(context);
  const storage = storageServices(context);
  const keycloak = keycloakService(context);
  const edge = edgeServices(context, model);
  const services = [
    ...edge.services,
    ...driveServices(context, driveEnvironment.environment),
    ...editorServices(context),
    ...mountsService(context, endpoints),
    ...storage.services,
    ...keycloak.services,
    ...data.services,
  ];
  const volumes = [...storage.volumes, ...keycloak.volumes, ...data.volumes];
  const hosts = publicHosts(model);
  const files = new Map<string, string>([
    ...edge.files,
    ...keycloak.files,
    [storageConfigFile(context), `${JSON.stringify(storageInitConfig(context), null, 2)}\n`],
    [HOSTS_FILE, `${hosts.join('\n')}\n`],
  ]);
  const { project, drive } = resources;
  const notes: string[] = [];
  if (drive.spec.backend.autoscaling)
    notes.push(
      'spec.backend.autoscaling has no Compose equivalent: the backend runs autoscaling.minReplicas containers',
    );
  const composeFiles: string[] = [];
  const roles: Role[] = ['edge', 'apps', 'storage'];
  if (context.split) {
    for (const role of roles) {
      const own = services.filter((service) => service.role === role);
      const names = new Set(own.map((service) => service.name));
      const path = `compose.${role}.yaml`;
      composeFiles.push(path);
      files.set(
        path,
        composeFile(
          project.name,
          own.map((service) => withinRole(service, names)),
          volumes.filter((volume) => volume.role === role),
          driveEnvironment.environment,
          `Drive on ${drive.spec.host}: the ${role} VM (${context.addressOf(role) ?? 'public'}) of Compose project ${project.name}.`,
        ),
      );
    }
  } else {
    composeFiles.push('compose.yaml');
    files.set(
      'compose.yaml',
      composeFile(
        project.name,
        services,
        volumes,
        driveEnvironment.environment,
        `Drive on ${drive.spec.host}: Compose project ${project.name} (${project.spec.target}).`,
      ),
    );
  }
  return {
    files,
    composeFiles,
    variables: context.secrets.envVariables(),
    publicHosts: hosts,
    notes,
    driveEnvironment,
  };
}

// Drive's own services in Compose, from its published images: the API, the frontend, the Celery
// worker and the one beat, the migrations and WOPI configuration as one-shot services, and the two
// daily commands the Kubernetes renderer runs as CronJobs.
import { DAILY_COMMANDS, DRIVE_COMMANDS } from '../drive-commands.js';
import { backendImage, frontendImage } from '../drive-pods.js';
import { RESOURCE_DEFAULTS, withDefaults } from '../resource-defaults.js';
import {
  composeCommand,
  PORTS,
  S3_CREDENTIALS_DIRECTORY,
  SERVICES,
  type ComposeContext,
} from './compose-context.js';
import {
  dependsOn,
  HARDENED,
  healthcheck,
  httpHealthcheck,
  LONG_RUNNING,
  ONE_SHOT,
  resourceLimits,
  type ComposeService,
  type Dependency,
  type ServiceDefinition,
} from './compose-service.js';
import { escapeCompose } from './compose-values.js';
import { INTERNAL_BACKEND_HOSTS } from './drive-environment.js';
import { STORAGE_CREDENTIALS_VOLUME } from './storage-services.js';

const pad = (value: number) => String(value).padStart(2, '0');

/** The cluster's CronJobs as one long-running loop: Compose has no scheduler. */
const DAILY_COMMANDS_SCRIPT = `set -eu
while true; do
  case "$(date -u +%H:%M)" in
${DAILY_COMMANDS.map(({ command, hour, minute }) => `    ${pad(hour)}:${pad(minute)}) python manage.py ${command} || echo "${command} failed" >&2 ;;`).join('\n')}
  esac
  sleep $((60 - $(date -u +%S | sed 's/^0//')))
done`;

/** What every container of the backend image shares: image, environment, hardening, secrets. */
function backendBase(context: ComposeContext, environment: Record<string, string>) {
  const { drive } = context.resources;
  const credentials = context.seaweedfs
    ? { volumes: [`${STORAGE_CREDENTIALS_VOLUME}:${S3_CREDENTIALS_DIRECTORY}:ro`] }
    : {};
  return {
    image: backendImage(drive.spec),
    environment,
    ...HARDENED,
    ...credentials,
  } satisfies ServiceDefinition;
}

/** What must be up before Drive code runs: its database, Redis and the bucket's keys. */
function dataDependencies(context: ComposeContext): Dependency[] {
  const { drive } = context.resources;
  return [
    ...(drive.spec.database.cloudNativePG
      ? [{ service: SERVICES.postgres, condition: 'service_healthy' as const }]
      : []),
    ...(drive.spec.redis.managed
      ? [{ service: SERVICES.redis, condition: 'service_healthy' as const }]
      : []),
    ...(context.seaweedfs
      ? [{ service: SERVICES.storageInit, condition: 'service_completed_successfully' as const }]
      : []),
  ];
}

function published(context: ComposeContext, port: number): ServiceDefinition {
  const address = context.addressOf('apps');
  return address === undefined ? {} : { ports: [`${address}:${String(port)}:${String(port)}`] };
}

export function driveServices(
  context: ComposeContext,
  environment: Record<string, string>,
): ComposeService[] {
  const { drive, editors } = context.resources;
  const spec = drive.spec;
  const base = backendBase(context, environment);
  const data = dataDependencies(context);
  const migrated: Dependency = {
    service: SERVICES.migrate,
    condition: 'service_completed_successfully',
  };
  const backendReplicas = spec.backend.autoscaling?.minReplicas ?? spec.backend.replicas;
  const services: ComposeService[] = [
    {
      name: SERVICES.migrate,
      role: 'apps',
      definition: {
        ...base,
        command: [...DRIVE_COMMANDS.migrate],
        ...ONE_SHOT,
        ...dependsOn(data),
        ...resourceLimits(RESOURCE_DEFAULTS.job),
      },
    },
    {
      name: SERVICES.backend,
      role: 'apps',
      definition: {
        ...base,
        ...LONG_RUNNING,
        ...dependsOn([...data, migrated]),
        ...published(context, PORTS.backend),
        ...(backendReplicas === 1 ? {} : { deploy: { replicas: backendReplicas } }),
        ...resourceLimits(withDefaults(spec.backend.resources, RESOURCE_DEFAULTS.backend)),
        // drive-contract §2: /__heartbeat__ checks the database and migrations and is exempt from
        // the HTTPS redirect; the Host must be an allowed one.
        ...healthcheck(
          httpHealthcheck(`http://127.0.0.1:${String(PORTS.backend)}/__heartbeat__`, {
            Host: INTERNAL_BACKEND_HOSTS[0] ?? SERVICES.backend,
          }),
        ),
        // gunicorn's graceful_timeout is 90 s in Drive's image.
        stop_grace_period: '95s',
      },
    },
    {
      name: SERVICES.worker,
      role: 'apps',
      definition: {
        ...base,
        command: composeCommand(DRIVE_COMMANDS.worker(spec.worker.concurrency)),
        ...LONG_RUNNING,
        ...dependsOn([...data, migrated]),
        ...(spec.worker.replicas === 1 ? {} : { deploy: { replicas: spec.worker.replicas } }),
        ...resourceLimits(withDefaults(spec.worker.resources, RESOURCE_DEFAULTS.worker)),
        ...healthcheck(
          ['CMD-SHELL', escapeCompose(DRIVE_COMMANDS.workerPing)],
          { interval: '60s', timeout: '30s', retries: 3, startPeriod: '60s' },
        ),
      },
    },
    {
      // Two beats would schedule every periodic task twice: exactly one.
      name: SERVICES.beat,
      role: 'apps',
      definition: {
        ...base,
        command: [...DRIVE_COMMANDS.beat],
        ...LONG_RUNNING,
        ...dependsOn([...data, migrated]),
        ...resourceLimits(RESOURCE_DEFAULTS.beat),
      },
    },
    {
      name: SERVICES.maintenance,
      role: 'apps',
      definition: {
        ...base,
        command: composeCommand(['sh', '-c', DAILY_COMMANDS_SCRIPT]),
        ...LONG_RUNNING,
        ...dependsOn([...data, migrated]),
        ...resourceLimits(RESOURCE_DEFAULTS.job),
      },
    },
    {
      name: SERVICES.frontend,
      role: 'apps',
      definition: {
        image: frontendImage(spec),
        ...HARDENED,
        ...LONG_RUNNING,
        ...published(context, PORTS.frontend),
        ...(spec.frontend.replicas === 1 ? {} : { deploy: { replicas: spec.frontend.replicas } }),
        ...resourceLimits(withDefaults(spec.frontend.resources, RESOURCE_DEFAULTS.frontend)),
        ...healthcheck(httpHealthcheck(`http://127.0.0.1:${String(PORTS.frontend)}/`)),
      },
    },
  ];
  if (editors.length > 0) {
    // drive-contract §6: Drive reads discovery only when this task runs (then daily), so it runs
    // on every `up`, once the editors answer.
    services.push({
      name: SERVICES.configureWopi,
      role: 'apps',
      definition: {
        ...base,
        command: [...DRIVE_COMMANDS.configureWopi],
        ...ONE_SHOT,
        ...dependsOn([
          ...data,
          migrated,
          { service: SERVICES.worker, condition: 'service_started' },
          ...editors
            .filter((editor) => editor.spec.managed)
            .map((editor) => ({ service: editor.name, condition: 'service_healthy' as const })),
        ]),
        ...resourceLimits(RESOURCE_DEFAULTS.job),
      },
    });
  }
  return services;
}

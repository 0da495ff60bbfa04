// Drive's long-running workloads: the API (gunicorn), the frontend, Celery workers and exactly
// one Celery beat, with their Services, disruption budgets and the optional autoscaler.
import { childMeta, selectorLabels, type OwnerInstance } from './labels.js';
import {
  backendContainer,
  frontendImage,
  podTemplate,
  type DrivePodContext,
} from './drive-pods.js';
import { DRIVE_COMMANDS } from './drive-commands.js';
import { BACKEND_SERVICE_PORT, FRONTEND_SERVICE_PORT, objectNames } from './object-names.js';
import { containerSecurityContext, TMP_MOUNT } from './pod-security.js';
import { RESOURCE_DEFAULTS, withDefaults } from './resource-defaults.js';

const BACKEND_PORT = 8000;
const FRONTEND_PORT = 8080;
// gunicorn's graceful_timeout is 90 s in Drive's image.
const BACKEND_GRACE_SECONDS = 95;

function deployment(
  owner: OwnerInstance,
  name: string,
  component: string,
  replicas: number | undefined,
  template: ReturnType<typeof podTemplate>,
  strategy: Record<string, unknown>,
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(owner, name, component),
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(owner.name, component) },
      strategy,
      template,
    },
  };
}

const ROLLING = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };

export function service(
  owner: OwnerInstance,
  name: string,
  component: string,
  port: number,
  targetPort: string,
  portName = 'http',
) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(owner, name, component),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(owner.name, component),
      ports: [{ name: portName, port, targetPort, protocol: 'TCP' }],
    },
  };
}

export function disruptionBudget(owner: OwnerInstance, name: string, component: string) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(owner, name, component),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(owner.name, component) } },
  };
}

/**
 * New API pods wait in an init container until the database schema matches their version, so a
 * pod of a new release never serves before its migrations Job has run.
 */
function waitForMigrations(context: DrivePodContext) {
  return backendContainer(context, 'wait-for-migrations', {
    command: [
      'sh',
      '-c',
      'until python manage.py migrate --check >/dev/null 2>&1; do echo "waiting for database migrations"; sleep 5; done',
    ],
    resources: withDefaults(undefined, RESOURCE_DEFAULTS.job),
  });
}

export function backendObjects(context: DrivePodContext): unknown[] {
  const { owner, spec } = context;
  const name = objectNames.backend(owner.name);
  const container = backendContainer(context, 'backend', {
    resources: withDefaults(spec.backend.resources, RESOURCE_DEFAULTS.backend),
    ports: [{ name: 'http', containerPort: BACKEND_PORT }],
    // drive-contract §2: liveness on /__lbheartbeat__, readiness on /__heartbeat__ (database and
    // migrations); both are exempt from the HTTPS redirect.
    livenessProbe: {
      httpGet: { path: '/__lbheartbeat__', port: 'http' },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/__heartbeat__', port: 'http' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
  });
  const autoscaling = spec.backend.autoscaling;
  const objects: unknown[] = [
    deployment(
      owner,
      name,
      'backend',
      autoscaling ? undefined : spec.backend.replicas,
      podTemplate(owner, 'backend', spec.version, [container], {
        checksum: context.checksum,
        initContainers: [waitForMigrations(context)],
        terminationGracePeriodSeconds: BACKEND_GRACE_SECONDS,
      }),
      ROLLING,
    ),
    service(owner, name, 'backend', BACKEND_SERVICE_PORT, 'http'),
    disruptionBudget(owner, name, 'backend'),
  ];
  if (autoscaling) {
    objects.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: childMeta(owner, name, 'backend'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: autoscaling.minReplicas,
        maxReplicas: autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization',
                averageUtilization: autoscaling.targetCPUUtilizationPercentage,
              },
            },
          },
        ],
      },
    });
  }
  return objects;
}

export function frontendObjects(context: DrivePodContext): unknown[] {
  const { owner, spec } = context;
  const name = objectNames.frontend(owner.name);
  const probe = (periodSeconds: number) => ({
    httpGet: { path: '/', port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const container = {
    name: 'frontend',
    image: frontendImage(spec),
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: FRONTEND_PORT }],
    resources: withDefaults(spec.frontend.resources, RESOURCE_DEFAULTS.frontend),
    livenessProbe: probe(20),
    readinessProbe: probe(10),
    securityContext: containerSecurityContext,
    volumeMounts: [TMP_MOUNT],
  };
  return [
    deployment(
      owner,
      name,
      'frontend',
      spec.frontend.replicas,
      podTemplate(owner, 'frontend', spec.version, [container]),
      ROLLING,
    ),
    service(owner, name, 'frontend', FRONTEND_SERVICE_PORT, 'http'),
    disruptionBudget(owner, name, 'frontend'),
  ];
}

export function celeryObjects(context: DrivePodContext): unknown[] {
  const { owner, spec } = context;
  const worker = objectNames.worker(owner.name);
  const workerContainer = backendContainer(context, 'worker', {
    command: [...DRIVE_COMMANDS.worker(spec.worker.concurrency)],
    resources: withDefaults(spec.worker.resources, RESOURCE_DEFAULTS.worker),
    livenessProbe: {
      exec: {
        command: ['sh', '-c', DRIVE_COMMANDS.workerPing],
      },
      initialDelaySeconds: 30,
      periodSeconds: 60,
      timeoutSeconds: 30,
      failureThreshold: 3,
    },
  });
  const beatContainer = backendContainer(context, 'beat', {
    command: [...DRIVE_COMMANDS.beat],
    resources: RESOURCE_DEFAULTS.beat,
  });
  const beat = objectNames.beat(owner.name);
  return [
    deployment(
      owner,
      worker,
      'worker',
      spec.worker.replicas,
      podTemplate(owner, 'worker', spec.version, [workerContainer], { checksum: context.checksum }),
      ROLLING,
    ),
    disruptionBudget(owner, worker, 'worker'),
    // Two beats would schedule every periodic task twice: exactly one, replaced, never surged.
    deployment(
      owner,
      beat,
      'beat',
      1,
      podTemplate(owner, 'beat', spec.version, [beatContainer], { checksum: context.checksum }),
      { type: 'Recreate' },
    ),
  ];
}

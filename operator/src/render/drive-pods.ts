// Pod templates and containers of the Drive backend image, shared by the API, the Celery
// workers, beat, the migrations Job and the CronJobs: one environment, one security context.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { DriveEnvVar } from '../contract/drive-env.js';
import { DRIVE_BACKEND_IMAGE, DRIVE_FRONTEND_IMAGE } from '../contract/drive-release.js';
import { CHECKSUM_ANNOTATION } from './config-checksum.js';
import { driveLabels, type OwnerInstance } from './labels.js';
import { objectNames } from './object-names.js';
import { containerSecurityContext, podBasics, TMP_MOUNT, TMP_VOLUME } from './pod-security.js';
import type { Resources } from './resource-defaults.js';

export interface DrivePodContext {
  owner: OwnerInstance;
  spec: DriveInstanceSpec;
  env: readonly DriveEnvVar[];
  checksum: string;
}

export function backendImage(spec: DriveInstanceSpec): string {
  return spec.images?.backend ?? `${DRIVE_BACKEND_IMAGE}:${spec.version}`;
}

export function frontendImage(spec: DriveInstanceSpec): string {
  return spec.images?.frontend ?? `${DRIVE_FRONTEND_IMAGE}:${spec.version}`;
}

/** Plain values come from the env ConfigMap; secrets and extra references are listed one by one. */
export function driveEnvSources(context: DrivePodContext) {
  return {
    envFrom: [{ configMapRef: { name: objectNames.envConfigMap(context.owner.name) } }],
    env: context.env.flatMap((entry): ContainerEnv[] => {
      if ('secretKeyRef' in entry) {
        return [{ name: entry.name, valueFrom: { secretKeyRef: { ...entry.secretKeyRef } } }];
      }
      if ('configMapKeyRef' in entry) {
        return [{ name: entry.name, valueFrom: { configMapKeyRef: { ...entry.configMapKeyRef } } }];
      }
      return [];
    }),
  };
}

interface ContainerEnv {
  name: string;
  valueFrom:
    | { secretKeyRef: { name: string; key: string } }
    | { configMapKeyRef: { name: string; key: string } };
}

export interface ContainerOptions {
  command?: string[];
  resources: Resources;
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
}

export function backendContainer(
  context: DrivePodContext,
  name: string,
  options: ContainerOptions,
) {
  return {
    name,
    image: backendImage(context.spec),
    imagePullPolicy: 'IfNotPresent',
    ...(options.command ? { command: options.command } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
    ...driveEnvSources(context),
    resources: options.resources,
    ...(options.livenessProbe ? { livenessProbe: options.livenessProbe } : {}),
    ...(options.readinessProbe ? { readinessProbe: options.readinessProbe } : {}),
    securityContext: containerSecurityContext,
    volumeMounts: [TMP_MOUNT],
  };
}

export interface PodOptions {
  initContainers?: unknown[];
  restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  terminationGracePeriodSeconds?: number;
  /** Set on pods that read Drive's configuration, so a change rolls them. */
  checksum?: string;
}

export function podTemplate(
  owner: OwnerInstance,
  component: string,
  version: string,
  containers: unknown[],
  options: PodOptions = {},
) {
  return {
    metadata: {
      labels: { ...driveLabels(owner.name, component), 'app.kubernetes.io/version': version },
      ...(options.checksum === undefined
        ? {}
        : { annotations: { [CHECKSUM_ANNOTATION]: options.checksum } }),
    },
    spec: {
      ...podBasics(),
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
      ...(options.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }),
      ...(options.initContainers ? { initContainers: options.initContainers } : {}),
      containers,
      volumes: [TMP_VOLUME],
    },
  };
}

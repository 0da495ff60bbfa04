// Everything a DriveInstance becomes in Kubernetes, from its spec and the resolved state of what
// it references: a pure, deterministic function.
import { driveEnvironment, DriveEnvError } from '../contract/drive-env.js';
import { certificate, tlsSecretName } from './certificate.js';
import { configChecksum } from './config-checksum.js';
import { databaseCluster, managedRedis } from './data-services.js';
import type { DriveRenderInputs } from './drive-inputs.js';
import { driveEnvConfigMap } from './drive-env-configmap.js';
import type { DrivePodContext } from './drive-pods.js';
import { gatewayApiEdge } from './edge/gateway-api.js';
import { ingressNginxEdge } from './edge/ingress-nginx.js';
import { routePlan } from './edge/route-plan.js';
import { s3Upstream } from './edge/s3-upstream.js';
import { traefikEdge } from './edge/traefik.js';
import { generatedSecrets } from './generated-secrets.js';
import { cronJobs, migrationsJob, wopiConfigurationJob } from './jobs.js';
import { mediaAuthMode, mediaAuthOriginalUrlHeader, type MediaAuthMode } from './media-auth.js';
import {
  mediaGatewayAuthUrl,
  mediaGatewayHeadBridge,
  mediaGatewayObjects,
} from './media-gateway.js';
import { SMB_MOUNT_IMAGE } from './images.js';
import { networkPolicies } from './network-policies.js';
import { smbMountsObjects, type ResolvedSmbMount } from './smb-mounts.js';
import {
  backendServiceHosts,
  BACKEND_SERVICE_PORT,
  objectNames,
  serviceUrl,
} from './object-names.js';
import { djangoSecretKey, redisUrl, resolveDatabase } from './resolve-references.js';
import { secretProblems, type SecretProblems } from './secret-references.js';
import { backendObjects, celeryObjects, frontendObjects } from './workloads.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export class RenderError extends Error {
  override name = 'RenderError';
  constructor(
    message: string,
    readonly reason: 'EnvConflict' | 'InvalidSpec',
  ) {
    super(message);
  }
}

export interface RenderedDrive {
  objects: KubeObject[];
  /** The Job whose success makes the current version serve. */
  migrationsJob: string;
  mediaAuth: MediaAuthMode;
  /** Whether the SMB mounts service is part of it. */
  hasMounts: boolean;
  configChecksum: string;
  secretProblems: SecretProblems;
}

// Applied in this order: what others read or reference comes first.
const KIND_ORDER = [
  'Secret',
  'ConfigMap',
  'Certificate',
  'Cluster',
  'Service',
  'EndpointSlice',
  'Deployment',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Job',
  'CronJob',
  'Middleware',
  'TraefikService',
  'IngressRoute',
  'Ingress',
  'HTTPRoute',
  'NetworkPolicy',
];

function sortObjects(objects: KubeObject[]): KubeObject[] {
  const rank = (kind: string) => {
    const index = KIND_ORDER.indexOf(kind);
    return index === -1 ? KIND_ORDER.length : index;
  };
  return [...objects].sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      a.kind.localeCompare(b.kind) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** The SMB StorageMounts of spec.mounts, every one of them resolved by the caller. */
function resolvedMounts(inputs: DriveRenderInputs): readonly ResolvedSmbMount[] {
  const given = inputs.mounts ?? [];
  return inputs.instance.spec.mounts.map((entry) => {
    const mount = given.find((candidate) => candidate.name === entry.name);
    if (!mount)
      throw new RenderError(
        `StorageMount ${entry.name} of spec.mounts was not resolved`,
        'InvalidSpec',
      );
    return mount;
  });
}

export function renderDrive(inputs: DriveRenderInputs): RenderedDrive {
  const { instance, storage } = inputs;
  const { spec } = instance;
  const owner = { name: instance.name, namespace: instance.namespace, uid: instance.uid };
  const mode = mediaAuthMode(spec);

  let env;
  try {
    env = driveEnvironment({
      spec,
      storage,
      identity: inputs.identity,
      editors: inputs.editors,
      database: resolveDatabase(instance.name, spec.database),
      redisUrl: redisUrl(instance.name, spec.redis),
      djangoSecretKey: djangoSecretKey(instance.name),
      topology: {
        internalBackendHosts: backendServiceHosts(instance.name, instance.namespace),
        wopiSrcBaseUrl: `https://${spec.host}`,
        mediaAuthOriginalUrlHeader: mediaAuthOriginalUrlHeader(mode),
      },
    });
  } catch (error) {
    if (error instanceof DriveEnvError) {
      throw new RenderError(
        error.message,
        error.message.includes('set twice') ? 'EnvConflict' : 'InvalidSpec',
      );
    }
    throw error;
  }

  const configMap = driveEnvConfigMap(owner, env);
  const checksum = configChecksum(inputs, configMap.data);
  const context: DrivePodContext = { owner, spec, env, checksum };
  const { upstream, objects: s3Objects } = s3Upstream(owner, storage.internalEndpoint);
  const authUrl =
    mode === 'Gateway'
      ? mediaGatewayAuthUrl(owner)
      : serviceUrl(
          objectNames.backend(owner.name),
          owner.namespace,
          BACKEND_SERVICE_PORT,
          '/api/v1.0/items/media-auth/',
        );
  const plan = routePlan(
    owner,
    spec,
    tlsSecretName(owner, spec),
    {
      bucket: storage.bucket,
      upstream,
      mode,
      authUrl,
      ...(mode === 'Gateway' ? { headBridge: mediaGatewayHeadBridge(owner) } : {}),
    },
    inputs.editors,
  );
  const edge =
    spec.edge.type === 'traefik'
      ? traefikEdge(plan)
      : spec.edge.type === 'nginx'
        ? ingressNginxEdge(plan)
        : gatewayApiEdge(plan);
  const job = migrationsJob(context);
  const mounts = resolvedMounts(inputs);
  const objects = [
    ...generatedSecrets(inputs),
    configMap,
    ...backendObjects(context),
    ...frontendObjects(context),
    ...celeryObjects(context),
    job,
    ...wopiConfigurationJob(context),
    ...cronJobs(context),
    ...managedRedis(owner, spec),
    ...databaseCluster(owner, spec),
    ...(mode === 'Gateway'
      ? mediaGatewayObjects(owner, spec, inputs.mediaGatewayImage, storage.internalEndpoint)
      : []),
    ...smbMountsObjects(
      owner,
      {
        drive: owner.name,
        spec,
        mounts,
        identity: inputs.identity,
        redisUrl: redisUrl(instance.name, spec.redis),
        editors: inputs.editors,
      },
      spec.images?.smbMount ?? inputs.smbMountImage ?? SMB_MOUNT_IMAGE,
    ),
    ...certificate(
      owner,
      spec,
      plan.editors.map((editor) => editor.host),
    ),
    ...s3Objects,
    ...edge,
    ...networkPolicies(
      owner,
      spec,
      inputs.editors.flatMap((editor) => (editor.managed ? [editor.managed.resource] : [])),
    ),
  ] as KubeObject[];
  return {
    objects: sortObjects(objects),
    migrationsJob: job.metadata.name,
    mediaAuth: mode,
    hasMounts: mounts.length > 0,
    configChecksum: checksum,
    secretProblems: secretProblems(objects, inputs),
  };
}

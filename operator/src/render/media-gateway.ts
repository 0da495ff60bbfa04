// The media-auth gateway (services/media-gateway), deployed while Traefik's ForwardAuth cannot
// call Drive's media-auth directly.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { childMeta, selectorLabels, type OwnerInstance } from './labels.js';
import {
  BACKEND_SERVICE_PORT,
  MEDIA_GATEWAY_PORT,
  objectNames,
  serviceUrl,
} from './object-names.js';
import { containerSecurityContext, podBasics, TMP_MOUNT, TMP_VOLUME } from './pod-security.js';
import { RESOURCE_DEFAULTS } from './resource-defaults.js';
import { disruptionBudget, service } from './workloads.js';

export const MEDIA_GATEWAY_AUTH_PATH = '/auth';
/** services/media-gateway's HEAD bridge: HEAD <prefix>/<bucket>/<key> is sent to S3 as a GET. */
export const MEDIA_GATEWAY_HEAD_PREFIX = '/s3-head';

export function mediaGatewayObjects(
  owner: OwnerInstance,
  spec: DriveInstanceSpec,
  image: string,
  s3InternalEndpoint: string,
) {
  const name = objectNames.mediaGateway(owner.name);
  const probe = (path: string) => ({
    httpGet: { path, port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  const replicas = Math.min(2, Math.max(1, spec.backend.replicas));
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: childMeta(owner, name, 'media-gateway'),
      spec: {
        replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(owner.name, 'media-gateway') },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: childMeta(owner, name, 'media-gateway').labels },
          spec: {
            ...podBasics(),
            containers: [
              {
                name: 'media-gateway',
                image: spec.images?.mediaGateway ?? image,
                imagePullPolicy: 'IfNotPresent',
                env: [
                  {
                    name: 'DRIVE_MEDIA_AUTH_URL',
                    value: serviceUrl(
                      objectNames.backend(owner.name),
                      owner.namespace,
                      BACKEND_SERVICE_PORT,
                      '/api/v1.0/items/media-auth/',
                    ),
                  },
                  { name: 'PUBLIC_HOST', value: spec.host },
                  // The HEAD bridge reaches S3 where Drive does.
                  { name: 'S3_UPSTREAM_URL', value: s3InternalEndpoint },
                  { name: 'PORT', value: String(MEDIA_GATEWAY_PORT) },
                ],
                ports: [{ name: 'http', containerPort: MEDIA_GATEWAY_PORT }],
                resources: RESOURCE_DEFAULTS.mediaGateway,
                livenessProbe: probe('/healthz'),
                readinessProbe: probe('/readyz'),
                securityContext: containerSecurityContext,
                volumeMounts: [TMP_MOUNT],
              },
            ],
            volumes: [TMP_VOLUME],
          },
        },
      },
    },
    service(owner, name, 'media-gateway', MEDIA_GATEWAY_PORT, 'http'),
    disruptionBudget(owner, name, 'media-gateway'),
  ];
}

/** Where the edge sends a HEAD on /media, rewritten under MEDIA_GATEWAY_HEAD_PREFIX. */
export function mediaGatewayHeadBridge(owner: OwnerInstance) {
  return {
    service: objectNames.mediaGateway(owner.name),
    port: MEDIA_GATEWAY_PORT,
    prefix: MEDIA_GATEWAY_HEAD_PREFIX,
  };
}

export function mediaGatewayAuthUrl(owner: OwnerInstance): string {
  return serviceUrl(
    objectNames.mediaGateway(owner.name),
    owner.namespace,
    MEDIA_GATEWAY_PORT,
    MEDIA_GATEWAY_AUTH_PATH,
  );
}

// PostgreSQL (a CloudNativePG Cluster, when asked for) and the managed Redis.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { childMeta, selectorLabels, type OwnerInstance } from './labels.js';
import { objectNames, REDIS_PORT } from './object-names.js';
import { containerSecurityContext, podBasics } from './pod-security.js';
import { RESOURCE_DEFAULTS, withDefaults } from './resource-defaults.js';
import { service } from './workloads.js';

export function databaseCluster(owner: OwnerInstance, spec: DriveInstanceSpec) {
  const cluster = spec.database.cloudNativePG;
  if (!cluster) return [];
  return [
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: childMeta(owner, objectNames.databaseCluster(owner.name), 'database'),
      spec: {
        instances: cluster.instances,
        ...(cluster.imageName === undefined ? {} : { imageName: cluster.imageName }),
        storage: {
          size: String(cluster.storage.size),
          ...(cluster.storage.storageClassName === undefined
            ? {}
            : { storageClass: cluster.storage.storageClassName }),
        },
        // CloudNativePG writes <cluster>-app with host, port, dbname, username and password.
        bootstrap: { initdb: { database: 'drive', owner: 'drive' } },
      },
    },
  ];
}

// The official image's redis user.
const REDIS_UID = 999;

export function managedRedis(owner: OwnerInstance, spec: DriveInstanceSpec) {
  const redis = spec.redis.managed;
  if (!redis) return [];
  const name = objectNames.redis(owner.name);
  const probe = { tcpSocket: { port: 'redis' }, periodSeconds: 10, timeoutSeconds: 3 };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: childMeta(owner, name, 'redis'),
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(owner.name, 'redis') },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: childMeta(owner, name, 'redis').labels },
          spec: {
            ...podBasics(),
            securityContext: {
              runAsNonRoot: true,
              runAsUser: REDIS_UID,
              runAsGroup: REDIS_UID,
              fsGroup: REDIS_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'redis',
                image: redis.image,
                imagePullPolicy: 'IfNotPresent',
                // Sessions, caches, locks and the task queue: nothing worth a disk.
                args: ['--requirepass', '$(REDIS_PASSWORD)', '--save', '', '--appendonly', 'no'],
                env: [
                  {
                    name: 'REDIS_PASSWORD',
                    valueFrom: { secretKeyRef: { name, key: 'password' } },
                  },
                ],
                ports: [{ name: 'redis', containerPort: REDIS_PORT }],
                resources: withDefaults(redis.resources, RESOURCE_DEFAULTS.redis),
                livenessProbe: probe,
                readinessProbe: probe,
                securityContext: containerSecurityContext,
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    },
    service(owner, name, 'redis', REDIS_PORT, 'redis', 'redis'),
  ];
}

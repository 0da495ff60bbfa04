import { z } from 'zod';
import { DRIVE_VERSION_PATTERN, DEFAULT_DRIVE_VERSION } from '../contract/drive-release.js';
import {
  FORBIDDEN_ENV,
  MANAGED_ENV_NAMES,
  SECRET_FILE_ENV_NAMES,
  WOPI_CLIENT_ENV_PATTERN,
} from '../contract/managed-env.js';
import { celString, exactlyOneOf, immutable, withRules } from './cel-rules.js';
import { defineKind } from './kind.js';
import {
  dnsLabel,
  dnsSubdomain,
  hostname,
  imageReference,
  localObjectReference,
  mapList,
  notOneOf,
  quantity,
  resourceRequirements,
  secretKeyName,
  secretKeySelector,
  setList,
} from './schema-parts.js';
import { kindStatus } from './status.js';

/** Path segments under /mounts/ the mounts service uses itself (services/smb-mount). */
export const RESERVED_MOUNT_NAMES = ['api', 'auth', 's', 'wopi'] as const;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const issuerRef = z
  .strictObject({
    name: dnsSubdomain('Name of the cert-manager Issuer or ClusterIssuer.'),
    kind: z
      .enum(['Issuer', 'ClusterIssuer'])
      .default('ClusterIssuer')
      .describe('Issuer (namespaced) or ClusterIssuer.'),
    group: z.string().max(253).default('cert-manager.io').describe('API group of the issuer.'),
  })
  .describe('A cert-manager issuer; the operator requests a Certificate for spec.host.');

const tls = withRules(
  z
    .strictObject({
      secretName: dnsSubdomain(
        'An existing kubernetes.io/tls Secret holding the certificate for spec.host.',
      ).optional(),
      issuerRef: issuerRef.optional(),
    })
    .describe('Where the certificate for spec.host comes from: a Secret or a cert-manager issuer.'),
  [exactlyOneOf(['secretName', 'issuerRef'], 'set exactly one of tls.secretName or tls.issuerRef')],
);

const edge = withRules(
  z
    .strictObject({
      type: z
        .enum(['traefik', 'nginx', 'gateway'])
        .default('traefik')
        .describe(
          'traefik: IngressRoutes and Middlewares (Traefik v3 CRDs). nginx: Ingresses with ingress-nginx annotations. gateway: Gateway API HTTPRoutes, with a Traefik Middleware (ExtensionRef) for the /media auth step.',
        ),
      ingressClassName: z
        .string()
        .max(253)
        .optional()
        .describe('Ingress class for traefik and nginx; the controller default when omitted.'),
      traefik: z
        .strictObject({
          entryPoints: setList(z.string().min(1).max(63), 8)
            .min(1)
            .default(['websecure'])
            .describe('Traefik entry points the routes attach to.'),
        })
        .optional()
        .describe('Options for type traefik.'),
      gateway: z
        .strictObject({
          parentRefs: z
            .array(
              z
                .strictObject({
                  name: dnsSubdomain('Name of the Gateway.'),
                  namespace: dnsLabel(
                    'Namespace of the Gateway; the DriveInstance namespace when omitted.',
                  ).optional(),
                  sectionName: z
                    .string()
                    .max(253)
                    .optional()
                    .describe('Listener of the Gateway to attach to.'),
                })
                .describe('A Gateway the HTTPRoutes attach to.'),
            )
            .min(1)
            .max(8)
            .describe('Gateways the HTTPRoutes attach to.'),
        })
        .optional()
        .describe('Options for type gateway.'),
      networkPeers: z
        .array(
          withRules(
            z
              .strictObject({
                namespaceLabels: z
                  .record(z.string(), z.string())
                  .optional()
                  .describe(
                    'Labels of the namespaces the edge runs in; any namespace when omitted.',
                  ),
                podLabels: z
                  .record(z.string(), z.string())
                  .optional()
                  .describe(
                    'Labels of the edge pods; any pod of the selected namespaces when omitted.',
                  ),
              })
              .describe('Where edge pods run, as NetworkPolicy selectors.'),
            [
              {
                rule: 'has(self.namespaceLabels) || has(self.podLabels)',
                message: 'an edge peer needs namespaceLabels, podLabels or both',
              },
            ],
          ),
        )
        .max(8)
        .optional()
        .describe(
          'Pods allowed to reach the Drive frontend, API and media gateway (NetworkPolicy). Default: pods labelled app.kubernetes.io/name=traefik (traefik, gateway) or ingress-nginx (nginx), in any namespace.',
        ),
      mediaGateway: z
        .enum(['Auto', 'Enabled', 'Disabled'])
        .default('Auto')
        .describe(
          "Whether the media-auth gateway runs between the edge and Drive's /media auth endpoint. Drive up to v0.21.1 reads only X-Original-URL, which Traefik never sends; the gateway translates X-Forwarded-Uri. Auto: deployed for traefik and gateway edges when the pinned Drive needs it.",
        ),
    })
    .describe('The edge that routes the Drive host, including the /media auth subrequest.'),
  [
    {
      rule: "self.type == 'gateway' ? has(self.gateway) : !has(self.gateway)",
      message: 'edge.gateway is required when edge.type is gateway, and only allowed then',
      fieldPath: '.gateway',
    },
    {
      rule: "!has(self.traefik) || self.type == 'traefik'",
      message: 'edge.traefik is only allowed when edge.type is traefik',
      fieldPath: '.traefik',
    },
    {
      rule: "self.type != 'gateway' || !has(self.ingressClassName)",
      message: 'edge.ingressClassName does not apply to gateway; use edge.gateway.parentRefs',
      fieldPath: '.ingressClassName',
    },
  ],
);

const databaseKeys = z
  .strictObject({
    host: secretKeyName('Key holding the host name.').default('host'),
    port: secretKeyName('Key holding the port.').default('port'),
    name: secretKeyName('Key holding the database name.').default('dbname'),
    user: secretKeyName('Key holding the user name.').default('username'),
    password: secretKeyName('Key holding the password.').default('password'),
  })
  .describe('Keys of the Secret; the defaults match the app Secret CloudNativePG writes.');

const database = withRules(
  z
    .strictObject({
      secretRef: z
        .strictObject({
          name: dnsSubdomain('Name of the Secret with the PostgreSQL connection.'),
          keys: databaseKeys.prefault({}),
        })
        .optional()
        .describe('Use an existing PostgreSQL database described by a Secret.'),
      cloudNativePG: z
        .strictObject({
          instances: z
            .number()
            .int()
            .min(1)
            .max(9)
            .default(1)
            .describe('PostgreSQL instances (1 primary + replicas).'),
          storage: z
            .strictObject({
              size: quantity('Volume size per instance.').default('10Gi'),
              storageClassName: z
                .string()
                .max(253)
                .optional()
                .describe('StorageClass; the cluster default when omitted.'),
            })
            .prefault({})
            .describe('Storage of each instance.'),
          imageName: imageReference(
            'PostgreSQL image; the CloudNativePG default when omitted.',
          ).optional(),
        })
        .optional()
        .describe('Create a CloudNativePG Cluster (the CloudNativePG operator must be installed).'),
    })
    .describe('PostgreSQL for Drive: an existing database, or a CloudNativePG cluster to create.'),
  [
    exactlyOneOf(
      ['secretRef', 'cloudNativePG'],
      'set exactly one of database.secretRef or database.cloudNativePG',
    ),
  ],
);

const redis = withRules(
  z
    .strictObject({
      secretRef: secretKeySelector(
        'A Secret key holding the Redis URL (redis://[:password@]host:port/db).',
        'url',
      ).optional(),
      managed: z
        .strictObject({
          image: imageReference('Redis image.').default('redis:7.4.2-alpine'),
          resources: resourceRequirements('Resources of the Redis container.').optional(),
        })
        .optional()
        .describe(
          'Run a single Redis owned by this DriveInstance. Redis holds sessions, WOPI locks and the Celery queue; it is not persisted.',
        ),
    })
    .describe('Redis for sessions, cache, WOPI locks and Celery.'),
  [exactlyOneOf(['secretRef', 'managed'], 'set exactly one of redis.secretRef or redis.managed')],
);

const replicas = (fallback: number, description: string) =>
  z.number().int().min(0).max(100).default(fallback).describe(description);

const backend = z
  .strictObject({
    replicas: replicas(2, 'Gunicorn API pods.'),
    resources: resourceRequirements('Resources of the API container.').optional(),
    autoscaling: withRules(
      z
        .strictObject({
          minReplicas: z.number().int().min(1).max(100).default(2).describe('Lower bound.'),
          maxReplicas: z.number().int().min(1).max(100).describe('Upper bound.'),
          targetCPUUtilizationPercentage: z
            .number()
            .int()
            .min(1)
            .max(100)
            .default(80)
            .describe('Average CPU utilisation the autoscaler aims for.'),
        })
        .describe('A HorizontalPodAutoscaler for the API; replaces backend.replicas.'),
      [
        {
          rule: 'self.minReplicas <= self.maxReplicas',
          message: 'autoscaling.minReplicas must not exceed autoscaling.maxReplicas',
          fieldPath: '.minReplicas',
        },
      ],
    ).optional(),
  })
  .describe('The Django API (gunicorn on port 8000).');

const frontend = z
  .strictObject({
    replicas: replicas(2, 'Frontend (static SPA served by nginx on 8080) pods.'),
    resources: resourceRequirements('Resources of the frontend container.').optional(),
  })
  .describe('The Next.js frontend.');

const worker = z
  .strictObject({
    replicas: replicas(1, 'Celery worker pods (renames, purges, WOPI discovery).'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe('Celery worker processes per pod; the number of CPUs when omitted.'),
    resources: resourceRequirements('Resources of the worker container.').optional(),
  })
  .describe('Celery workers. Celery beat always runs as exactly one extra pod.');

const upload = withRules(
  z
    .strictObject({
      chunked: z
        .boolean()
        .default(true)
        .describe(
          'Transfer large files in chunks: S3 multipart for server-side transfers, resumable chunks for SMB mounts.',
        ),
      chunkSizeBytes: z
        .number()
        .int()
        .min(5 * MiB, 'chunkSizeBytes must be at least 5 MiB (5242880), the S3 minimum part size')
        .max(5 * GiB, 'chunkSizeBytes must be at most 5 GiB (5368709120), the S3 maximum part size')
        .default(8 * MiB)
        .describe('Chunk size in bytes, between 5 MiB and 5 GiB (S3 multipart limits).'),
      maxFileSizeBytes: z
        .number()
        .int()
        .min(MiB)
        .max(5 * 1024 * GiB)
        .default(2 * GiB)
        .describe('Largest file Drive accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).'),
    })
    .describe('Upload behaviour for S3 and SMB.'),
  [
    {
      rule: '!self.chunked || self.chunkSizeBytes <= self.maxFileSizeBytes',
      message: 'upload.chunkSizeBytes must not exceed upload.maxFileSizeBytes',
      fieldPath: '.chunkSizeBytes',
    },
  ],
);

const envName = withRules(
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .describe(
      'Variable name. Names the operator sets, NAME_FILE variants of the secrets it wires, WOPI client variables and variables known to break Drive are rejected.',
    ),
  [
    {
      ...notOneOf(
        [...MANAGED_ENV_NAMES, ...SECRET_FILE_ENV_NAMES],
        'this variable is set by the operator from the DriveInstance and the resources it references; change the corresponding spec field instead',
      ),
    },
    {
      rule: `!self.matches(${celString(WOPI_CLIENT_ENV_PATTERN)})`,
      message:
        'WOPI client variables come from WopiClient resources; reference one in spec.wopiClientRefs',
    },
    ...Object.entries(FORBIDDEN_ENV).map(([name, why]) => ({
      rule: `self != ${celString(name)}`,
      message: `${name} must not be set: ${why}`,
    })),
  ],
);

const extraEnvVar = withRules(
  z
    .strictObject({
      name: envName,
      value: z.string().max(32768).optional().describe('Literal value.'),
      valueFrom: withRules(
        z
          .strictObject({
            secretKeyRef: secretKeySelector('A key of a Secret.').optional(),
            configMapKeyRef: secretKeySelector('A key of a ConfigMap.').optional(),
          })
          .describe('Take the value from a Secret or a ConfigMap key.'),
        [
          exactlyOneOf(
            ['secretKeyRef', 'configMapKeyRef'],
            'set exactly one of valueFrom.secretKeyRef or valueFrom.configMapKeyRef',
          ),
        ],
      ).optional(),
    })
    .describe('An extra environment variable for every Drive backend container.'),
  [exactlyOneOf(['value', 'valueFrom'], 'set exactly one of value or valueFrom')],
);

const resourceServer = withRules(
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe(
          'Serve /external_api/v1.0/ for other La Suite apps, authenticating their bearer tokens by introspection at the OidcClient issuer.',
        ),
      allowedAudiences: setList(z.string().min(1).max(253), 16)
        .default([])
        .describe('Token audiences (client ids) allowed to call the external API.'),
    })
    .describe('Drive as an OIDC resource server (OIDC_RS_*, EXTERNAL_API).'),
  [
    {
      rule: '!self.enabled || size(self.allowedAudiences) > 0',
      message: 'resourceServer.allowedAudiences needs at least one audience when enabled',
      fieldPath: '.allowedAudiences',
    },
  ],
);

export const driveInstanceSpec = z
  .strictObject({
    version: withRules(
      z
        .string()
        .max(128)
        .regex(
          DRIVE_VERSION_PATTERN,
          `must be a Drive release tag such as ${DEFAULT_DRIVE_VERSION}`,
        )
        .describe(
          `Drive release to run: the tag of lasuite/drive-backend and lasuite/drive-frontend, e.g. ${DEFAULT_DRIVE_VERSION}. Always pinned; latest is rejected.`,
        ),
      [
        {
          rule: "self != 'latest'",
          message: `latest is not a pinned version; use a Drive release tag such as ${DEFAULT_DRIVE_VERSION}`,
        },
      ],
    ),
    images: z
      .strictObject({
        backend: imageReference(
          'Backend image override (a mirror); must be pinned. Defaults to lasuite/drive-backend:<version>.',
        ).optional(),
        frontend: imageReference(
          'Frontend image override (a mirror); must be pinned. Defaults to lasuite/drive-frontend:<version>.',
        ).optional(),
        mediaGateway: imageReference(
          'Media-auth gateway image override; must be pinned.',
        ).optional(),
        smbMount: imageReference(
          'SMB mounts service image override (services/smb-mount); must be pinned.',
        ).optional(),
      })
      .optional()
      .describe('Image overrides, for registries that mirror the published images.'),
    host: hostname(
      'Public DNS name Drive is served on, e.g. drive.example.com. The app, /api and /media share this origin.',
    ),
    tls,
    edge: edge.prefault({}),
    oidcClientRef: localObjectReference('The OidcClient Drive logs users in with.'),
    storageRef: withRules(
      localObjectReference(
        'The StorageMount (type s3) holding every Drive file. Immutable: files live in this bucket.',
      ),
      [
        immutable(
          'storageRef is immutable: every file lives in the referenced bucket; migrate the bucket instead of switching',
        ),
      ],
    ),
    mounts: mapList(
      z
        .strictObject({
          name: withRules(dnsSubdomain('Name of a StorageMount of type smb.'), [
            notOneOf(
              RESERVED_MOUNT_NAMES,
              'this name is a path of the mounts service (/mounts/api/, /mounts/auth/, /mounts/s/, /mounts/wopi/); rename the StorageMount',
            ),
          ]),
        })
        .describe('An SMB mount shown next to the main storage.'),
      'name',
      16,
    )
      .default([])
      .describe('StorageMounts of type smb served under /mounts/<name>/ on the Drive host.'),
    wopiClientRefs: mapList(
      localObjectReference('A WopiClient (Collabora Online or OnlyOffice).'),
      'name',
      8,
    )
      .default([])
      .describe('Office editors Drive opens documents in.'),
    database,
    redis: redis.prefault({ managed: {} }),
    backend: backend.prefault({}),
    frontend: frontend.prefault({}),
    worker: worker.prefault({}),
    upload: upload.prefault({}),
    resourceServer: resourceServer.prefault({}),
    ui: z
      .strictObject({
        theme: z
          .enum(['default', 'dark', 'dsfr-light', 'dsfr-dark', 'anct-light', 'anct-dark'])
          .optional()
          .describe('Frontend theme (FRONTEND_THEME).'),
        hideGaufre: z
          .boolean()
          .default(true)
          .describe(
            'Hide the La Gaufre app switcher, whose URLs point at the French state instance.',
          ),
      })
      .prefault({})
      .describe('Frontend settings served by the backend.'),
    extraEnv: mapList(extraEnvVar, 'name', 64)
      .default([])
      .describe('Extra backend environment variables; operator-managed names are rejected.'),
  })
  .describe('Desired state of one Drive installation.');

const componentStatus = z
  .strictObject({
    replicas: z.number().int().min(0).optional().describe('Desired pods.'),
    readyReplicas: z.number().int().min(0).optional().describe('Pods ready.'),
  })
  .describe('Readiness of one workload.');

export const driveInstanceStatus = kindStatus(
  {
    url: z.string().optional().describe('Public URL of Drive.'),
    version: z.string().optional().describe('Drive release the running workloads use.'),
    mediaAuth: z
      .enum(['Gateway', 'Direct', 'NginxAuthRequest'])
      .optional()
      .describe(
        'How /media is authorised: through the media gateway, ForwardAuth straight to Drive, or nginx auth_request.',
      ),
    components: z
      .strictObject({
        backend: componentStatus.optional(),
        frontend: componentStatus.optional(),
        worker: componentStatus.optional(),
        beat: componentStatus.optional(),
        mediaGateway: componentStatus.optional(),
        mounts: componentStatus.optional(),
      })
      .optional()
      .describe('Readiness of each workload.'),
    migrations: z
      .strictObject({
        job: z.string().optional().describe('Name of the current migrations Job.'),
        completed: z.boolean().optional().describe('Whether it succeeded.'),
      })
      .optional()
      .describe('The database migrations for the current version and configuration.'),
  },
  'Observed state of the installation.',
);

export const driveInstance = defineKind({
  kind: 'DriveInstance',
  plural: 'driveinstances',
  singular: 'driveinstance',
  shortNames: ['drive'],
  description:
    'One La Suite Drive installation: its workloads, edge routes, secrets and the wiring to storage, identity and office editors.',
  spec: driveInstanceSpec,
  status: driveInstanceStatus,
  maxNameLength: 36,
  urlJsonPath: '.status.url',
  extraColumns: [
    {
      name: 'Version',
      type: 'string',
      jsonPath: '.spec.version',
      description: 'Drive release.',
      priority: 1,
    },
  ],
  conditions: {
    StorageReady: 'The referenced StorageMount (s3) is Ready.',
    IdentityReady: 'The referenced OidcClient is Ready.',
    EditorsReady: 'Every referenced WopiClient is Ready.',
    SecretsReady: 'Generated secrets exist and every referenced Secret key is present.',
    MigrationsComplete: 'The migrations Job for the current version and configuration succeeded.',
    WorkloadsAvailable: 'Backend, frontend, worker and beat Deployments are available.',
    MediaAuthRouteReady: 'The /media routes and their auth step are in place.',
  },
  reasons: {
    WaitingForStorage: 'The StorageMount is not Ready yet.',
    WaitingForIdentity: 'The OidcClient is not Ready yet.',
    WaitingForEditors: 'A WopiClient is not Ready yet.',
    WaitingForMigrations: 'The migrations Job has not completed yet.',
    MigrationsFailed: 'The migrations Job failed; its logs say why.',
    WaitingForWorkloads: 'A Deployment is not available yet.',
    EnvConflict: 'Two sources set the same Drive environment variable.',
  },
});

export type DriveInstanceSpec = z.output<typeof driveInstanceSpec>;
export type DriveInstanceStatus = z.output<typeof driveInstanceStatus>;

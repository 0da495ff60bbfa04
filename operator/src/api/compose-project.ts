// ComposeProject: how `lasuitectl compose` packages the four kinds for Docker hosts. It is read by
// lasuitectl only, never applied to a cluster (like kustomize's Kustomization): everything about
// Drive itself stays in the DriveInstance, StorageMount, OidcClient and WopiClient, so Kubernetes
// and Compose render Drive from the same resources (seed §7.4); this kind holds only what differs
// between the two packagings.
import { z } from 'zod';
import { withRules } from './cel-rules.js';
import { defineKind } from './kind.js';
import { httpUrl, imageReference } from './schema-parts.js';
import { OPERATOR_VERSION } from '../render/images.js';
import { DEFAULT_DRIVE_VERSION } from '../contract/drive-release.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// Compose's short volume syntax separates source, target and mode with ':'.
const HOST_PATH = /^[^\0\n:,]+$/;

const port = (description: string, fallback: number) =>
  z.number().int().min(1).max(65535).default(fallback).describe(description);

const hostAddress = (description: string) =>
  z.string().regex(IPV4, 'must be an IPv4 address such as 10.0.0.3').describe(description);

const hostPath = (description: string, fallback: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .regex(
      HOST_PATH,
      'must be a file path without ":" or ",", which Compose volume syntax reserves',
    )
    .default(fallback)
    .describe(description);

const edge = z
  .strictObject({
    type: z
      .enum(['nginx', 'traefik'])
      .default('nginx')
      .describe(
        "nginx: auth_request for /media, no extra service. traefik: Traefik's file provider, with the media gateway as ForwardAuth for /media (Drive up to v0.21.1 reads only X-Original-URL).",
      ),
    publish: z
      .strictObject({
        address: hostAddress(
          'Host address the edge ports are published on; every address of the host when omitted.',
        ).optional(),
        http: port('Host port for plain HTTP, which only redirects to HTTPS.', 80),
        https: port('Host port for HTTPS.', 443),
      })
      .prefault({})
      .describe('Where the edge is published on the Docker host.'),
  })
  .describe(
    "The edge in front of Drive, /media, the S3 public host (when SeaweedFS runs here) and the IdP (when Keycloak runs here). The DriveInstance's spec.edge describes a cluster's ingress and is not used here.",
  );

const tls = z
  .strictObject({
    certificateFile: hostPath(
      'PEM certificate (with its chain) for every host the edge serves, relative to the output directory or absolute. `make certs` writes the dev one.',
      './certs/tls.crt',
    ),
    keyFile: hostPath('PEM private key of that certificate.', './certs/tls.key'),
  })
  .describe(
    'The certificate the edge serves: one certificate (several names or a wildcard) for every public host of the project.',
  );

const splitLayout = z
  .strictObject({
    apps: z
      .strictObject({
        address: hostAddress(
          'Private address of the apps VM: the edge reaches Drive, Collabora and the frontend there.',
        ),
      })
      .describe('The VM running Drive, Redis, Collabora and the init jobs.'),
    storage: z
      .strictObject({
        address: hostAddress(
          'Private address of the storage VM: PostgreSQL and SeaweedFS are published there.',
        ),
      })
      .describe('The VM running PostgreSQL and SeaweedFS.'),
  })
  .describe('Addresses of the VMs; each role publishes its ports on its own private address only.');

const layout = withRules(
  z
    .strictObject({
      type: z
        .enum(['single-host', 'split'])
        .default('single-host')
        .describe(
          'single-host: one compose.yaml. split: compose.edge.yaml, compose.apps.yaml and compose.storage.yaml for three VMs, sharing one .env.',
        ),
      split: splitLayout.optional(),
    })
    .describe('How the services are spread over Docker hosts.'),
  [
    {
      rule: "(self.type == 'split') == has(self.split)",
      message: 'layout.split is required when layout.type is split, and only allowed then',
      fieldPath: '.split',
    },
  ],
);

const oidcEndpoints = z
  .strictObject({
    authorization: httpUrl('authorization_endpoint (browsers go there).'),
    token: httpUrl('token_endpoint (Drive calls it).'),
    userinfo: httpUrl('userinfo_endpoint (Drive calls it).'),
    jwks: httpUrl('jwks_uri (Drive calls it).'),
    endSession: httpUrl('end_session_endpoint, for logout at the IdP.').optional(),
    introspection: httpUrl('introspection_endpoint, for spec.resourceServer.').optional(),
  })
  .describe(
    "The external IdP's endpoints, as its discovery document lists them. When omitted, lasuitectl reads <issuer>/.well-known/openid-configuration while rendering (the operator does the same in a cluster).",
  );

const keycloak = z
  .strictObject({
    image: imageReference('Keycloak image; must be pinned.').default(
      'quay.io/keycloak/keycloak:26.7.3',
    ),
    testUser: z
      .strictObject({
        username: z
          .string()
          .min(1)
          .max(255)
          .regex(/^[a-z0-9._-]+$/, 'must be lowercase letters, digits, ".", "_" and "-"')
          .default('drive')
          .describe('User name; its password is generated into .env.'),
        email: z
          .string()
          .max(320)
          .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address')
          .optional()
          .describe('Email; <username>@<Drive host> when omitted.'),
        firstName: z.string().min(1).max(255).default('Drive').describe('Given name.'),
        lastName: z.string().min(1).max(255).default('Developer').describe('Family name.'),
      })
      .prefault({})
      .describe('A user who can log in to Drive right away.'),
  })
  .describe(
    "Run Keycloak in the project (dev target only), serving the OidcClient's issuer: a realm imported at start with Drive's client (from the OidcClient) and a test user. The OidcClient must use credentials.keycloak with a url and realm matching its issuer.",
  );

const images = z
  .strictObject({
    postgres: imageReference('PostgreSQL, for spec.database.cloudNativePG.').default(
      'postgres:16.10-alpine',
    ),
    seaweedfs: imageReference('SeaweedFS, for a StorageMount of provider seaweedfs.').default(
      'chrislusf/seaweedfs:4.48',
    ),
    nginx: imageReference('nginx, for edge.type nginx.').default('nginx:1.28.0-alpine'),
    traefik: imageReference('Traefik, for edge.type traefik.').default('traefik:v3.6.25'),
    operator: imageReference("This project's operator image, which runs the init jobs.").default(
      `ghcr.io/lasuite-selfhost/lasuite-operator:${OPERATOR_VERSION}`,
    ),
  })
  .prefault({})
  .describe(
    "Images of the services that are not Drive's own; all pinned. Drive's come from the DriveInstance (spec.version, spec.images).",
  );

export const composeProjectSpec = withRules(
  z
    .strictObject({
      target: z
        .enum(['dev', 'production'])
        .default('production')
        .describe(
          `dev: one machine with certificates from \`make certs\`, and Keycloak when spec.keycloak is set (Drive ${DEFAULT_DRIVE_VERSION} as pinned by the DriveInstance either way). production: certificates you provide and an external IdP.`,
        ),
      edge: edge.prefault({}),
      tls: tls.prefault({}),
      layout: layout.prefault({}),
      identity: z
        .strictObject({ endpoints: oidcEndpoints.optional() })
        .prefault({})
        .describe('The external IdP, when Keycloak does not run in the project.'),
      keycloak: keycloak.optional(),
      images,
    })
    .describe('How the resources given with it become a Docker Compose project.'),
  [
    {
      rule: "!has(self.keycloak) || self.target == 'dev'",
      message:
        'keycloak runs in the dev target only; in production, point the OidcClient at your IdP',
      fieldPath: '.keycloak',
    },
    {
      rule: "self.layout.type != 'split' || self.target == 'production'",
      message: 'the split layout is a production layout; use target production',
      fieldPath: '.layout.type',
    },
    {
      rule: '!has(self.keycloak) || !has(self.identity.endpoints)',
      message:
        'identity.endpoints describe an external IdP; with keycloak the endpoints are those of the project Keycloak',
      fieldPath: '.identity.endpoints',
    },
  ],
);

export const composeProject = defineKind({
  kind: 'ComposeProject',
  plural: 'composeprojects',
  singular: 'composeproject',
  shortNames: [],
  description:
    'How lasuitectl compose renders the resources given with it as a Docker Compose project. Read by lasuitectl only; never applied to a cluster.',
  spec: composeProjectSpec,
  status: z.strictObject({}).describe('ComposeProject has no status: no controller reads it.'),
  maxNameLength: 63,
  urlJsonPath: '.spec.target',
  extraColumns: [],
  conditions: {},
  reasons: {},
});

export type ComposeProjectSpec = z.output<typeof composeProjectSpec>;

// A managed Collabora Online (the `managed` variant of a WopiClient): coolwsd pods, their Service,
// NetworkPolicy and disruption budget. The edge routes of every referencing DriveInstance carry its
// paths (render/edge/route-plan.ts). A pure function of its inputs, like the DriveInstance renderer.
//
// coolwsd under the restricted Pod Security Standard (non-root, no privilege escalation, no
// capabilities, RuntimeDefault seccomp, read-only root filesystem). Nothing here has run a pod:
// "verified" means read in coolwsd's source or Collabora's documentation, not observed.
// - Verified in wsd/COOLWSD.cpp (master, not the 26.04 tag): with security.capabilities=false
//   coolwsd neither chroots nor tries mount namespaces, and starts coolforkit-ns --nocaps. Left
//   at true, it first tries a user and mount namespace, and when that fails falls back to
//   coolforkit-caps, which needs file capabilities (chown, fowner, sys_chroot) that no_new_privs
//   never grants. Whether the namespaces work depends on the node (RuntimeDefault seccomp,
//   AppArmor, sysctls): reports show them failing ("enterMountingNS ... failed") and then the
//   forkit exiting ("Capabilities are not set"), so no document opens. Not left to chance here.
//   Collabora documents these same options for OpenShift's restricted-v2 SCC.
// - Verified in common/JailUtil.cpp: mount_jail_tree=false skips the bind-mount probe (coolmount,
//   which needs CAP_SYS_ADMIN), and a read-only systemplate only costs copying its /etc files
//   into each jail.
// - The price, in Collabora's words: documents are no longer isolated from each other at the
//   process level; the container boundary remains. Per-document jails without capabilities need
//   the Localhost seccomp profile Collabora ships (cool-seccomp-profile.json), installed on every
//   node: out of an operator's reach.
// - Assumed: coolwsd and LibreOffice write only below child_root_path, cache_files.path and /tmp.
//   Collabora's own restricted examples keep the root filesystem writable, so a read-only one is
//   untested upstream; a write elsewhere fails at start or at first document, not silently.
// - Assumed: the 26.04 image runs as `cool` = uid/gid 1001 (coolwsd checks the user by name),
//   reads the proof key from /etc/coolwsd/proof_key, and its entrypoint passes --use-env-vars,
//   without which coolwsd ignores aliasgroupN (see coolwsdArgs for why that fails closed).
import { generateKeyPairSync } from 'node:crypto';
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import { GROUP_VERSION } from '../api/kind.js';
import type { WopiClientSpec } from '../api/wopi-client.js';
import { RenderError, type KubeObject } from './drive-objects.js';
import { MANAGED_BY, type ObjectMeta, type OwnerInstance } from './labels.js';
import { edgePeers } from './network-policies.js';
import { COLLABORA_PORT, objectNames } from './object-names.js';
import { containerSecurityContext, podSecurityContext } from './pod-security.js';
import { withDefaults, type Resources } from './resource-defaults.js';

/** What coolwsd's own configuration depends on, in a cluster or in Compose. */
export type CoolwsdInputs = Pick<CollaboraInputs, 'spec' | 'drives'>;

/** Which edge pods reach the editor: those of the DriveInstances routing it. */
export type CollaboraEdge = Pick<DriveInstanceSpec['edge'], 'type' | 'networkPeers'>;

export interface CollaboraInputs {
  /** The WopiClient. */
  owner: OwnerInstance;
  spec: NonNullable<WopiClientSpec['managed']>;
  /** One per DriveInstance that uses this editor: its public host and WOPI_SRC_BASE_URL. */
  drives: readonly { host: string; wopiSrcBaseUrl: string }[];
  /**
   * The Secret and key holding the proof key PEM. `version` (a resourceVersion or a hash) rolls
   * the pods when the key changes: every replica must sign with the key discovery publishes.
   */
  proofKey: { secretName: string; key: string; version?: string };
  edge: CollaboraEdge;
}

/** Labels of the coolwsd pods; the DriveInstance NetworkPolicy admits the editor by them. */
export function collaboraSelectorLabels(wopiClient: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'collabora',
    'app.kubernetes.io/instance': wopiClient,
    'app.kubernetes.io/component': 'editor',
  };
}

/** The public origin the editor is loaded from, which discovery's urlsrc must carry. */
export function collaboraPublicOrigin(inputs: CollaboraInputs): string | undefined {
  const name = serverName(inputs);
  return name === undefined ? undefined : `https://${name}`;
}

/** A new RSA-2048 private key in PEM, for the proof-key Secret. */
export function generateProofKey(): string {
  // PKCS#1, as Collabora's own `ssh-keygen -m PEM` / coolconfig generate-proof-key write it.
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).privateKey;
}

// The `cool` user of the image.
const COOL_UID = 1001;
const COOL_GID = 1001;
/** coolwsd's jails, a writable volume next to /tmp under a read-only root. */
export const CHILD_ROOTS = '/opt/cool/child-roots';
const CACHE_PATH = '/tmp/coolwsd-cache';
const PROOF_KEY_PATH = '/etc/coolwsd/proof_key';
const PROOF_KEY_ANNOTATION = 'lasuite.selfhost.dev/proof-key-version';
// Time to save the documents still open back to Drive when the pod stops (upstream chart: 60 s).
const GRACE_SECONDS = 60;
// One document is one LibreOffice process of a few hundred MiB.
const RESOURCE_DEFAULTS: Resources = {
  requests: { cpu: '250m', memory: '1Gi' },
  limits: { memory: '3Gi' },
};
const KIND_ORDER = ['Service', 'Deployment', 'PodDisruptionBudget', 'NetworkPolicy'];

export function collaboraObjects(inputs: CollaboraInputs): KubeObject[] {
  const { owner, spec } = inputs;
  const name = objectNames.collaboraService(owner.name);
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(owner, name),
      spec: {
        type: 'ClusterIP',
        selector: collaboraSelectorLabels(owner.name),
        ports: [{ name: 'http', port: COLLABORA_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    } as KubeObject,
    deployment(inputs),
    networkPolicy(inputs),
  ];
  if (spec.replicas > 1) {
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(owner, name),
      spec: { maxUnavailable: 1, selector: { matchLabels: collaboraSelectorLabels(owner.name) } },
    } as KubeObject);
  }
  const rank = (kind: string) => KIND_ORDER.indexOf(kind);
  return objects.sort(
    (a, b) => rank(a.kind) - rank(b.kind) || a.metadata.name.localeCompare(b.metadata.name),
  );
}

function labels(wopiClient: string): Record<string, string> {
  return {
    ...collaboraSelectorLabels(wopiClient),
    'app.kubernetes.io/part-of': 'lasuite',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

function meta(owner: OwnerInstance, name: string) {
  return {
    name,
    namespace: owner.namespace,
    labels: labels(owner.name),
    ...(owner.uid === undefined
      ? {}
      : {
          ownerReferences: [
            {
              apiVersion: GROUP_VERSION,
              kind: 'WopiClient',
              name: owner.name,
              uid: owner.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }),
  } satisfies ObjectMeta;
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * The host coolwsd writes into discovery's urlsrc. Without it coolwsd takes the Host of the
 * discovery request, which is the Service's when Drive's worker fetches it. Without a host of its
 * own the editor is served on every Drive host, any of which works for every Drive (the frame
 * ancestors list them all): the first in order, for a stable answer.
 */
function serverName(inputs: CoolwsdInputs): string | undefined {
  return inputs.spec.host ?? sortedUnique(inputs.drives.map((drive) => drive.host))[0];
}

/** coolwsd's allow-list holds origins: a WOPISrc is matched by scheme, host and port. */
function wopiHostOrigin(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RenderError(`WOPI_SRC_BASE_URL ${url} is not a URL`, 'InvalidSpec');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RenderError(`WOPI_SRC_BASE_URL ${url} is not an http(s) URL`, 'InvalidSpec');
  }
  return parsed.origin;
}

function pinnedImage(image: string): string {
  const repository = image.split('@')[0] ?? image;
  const tagged = /:[^/]+$/.test(repository) && !repository.endsWith(':latest');
  if (!image.includes('@sha256:') && !tagged) {
    throw new RenderError(
      `image ${image} must be pinned to a tag other than latest, or to a digest`,
      'InvalidSpec',
    );
  }
  return image;
}

/** The image tag as a label value, when it is one. */
function versionLabel(image: string): Record<string, string> {
  const tag = /:([^/:]+)$/.exec(image.split('@')[0] ?? image)?.[1];
  return tag !== undefined && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(tag)
    ? { 'app.kubernetes.io/version': tag }
    : {};
}

/**
 * Options as arguments, appended to the image's entrypoint: since 26.04 the image has no shell,
 * and extra_params is split on spaces, which frame_ancestors contains.
 */
export function coolwsdArgs(inputs: CoolwsdInputs): string[] {
  const name = serverName(inputs);
  const ancestors = sortedUnique(inputs.drives.map((drive) => `https://${drive.host}`));
  return [
    // TLS ends at the edge; discovery and the websocket must still say https and wss.
    '--o:ssl.enable=false',
    '--o:ssl.termination=true',
    // See the top of this file: what makes coolwsd run without capabilities.
    '--o:security.capabilities=false',
    '--o:mount_jail_tree=false',
    // The writable volumes of a read-only root filesystem.
    `--o:child_root_path=${CHILD_ROOTS}`,
    `--o:cache_files.path=${CACHE_PATH}`,
    // No credentials are configured, and the edge blocks its paths: off, not merely unreachable.
    '--o:admin_console.enable=false',
    // The allow-list itself comes as aliasgroupN, which coolwsd reads only with --use-env-vars.
    // Groups mode set here too means an entrypoint without it denies every WOPI host instead of
    // trusting the first one to ask (mode "first").
    '--o:storage.wopi.alias_groups[@mode]=groups',
    ...(name === undefined ? [] : [`--o:server_name=${name}`]),
    ...(ancestors.length === 0 ? [] : [`--o:net.frame_ancestors=${ancestors.join(' ')}`]),
  ];
}

/** coolwsd's WOPI host allow-list: one group per Drive, each a different host, not an alias. */
export function aliasGroupEnv(inputs: CoolwsdInputs): Record<string, string> {
  const origins = sortedUnique(inputs.drives.map((drive) => wopiHostOrigin(drive.wopiSrcBaseUrl)));
  return Object.fromEntries(
    origins.map((origin, index) => [`aliasgroup${String(index + 1)}`, origin]),
  );
}

function deployment(inputs: CollaboraInputs): KubeObject {
  const { owner, spec, proofKey } = inputs;
  const selector = collaboraSelectorLabels(owner.name);
  const image = pinnedImage(spec.image);
  const probe = (periodSeconds: number, timeoutSeconds: number, failureThreshold: number) => ({
    httpGet: { path: '/hosting/discovery', port: 'http' },
    periodSeconds,
    timeoutSeconds,
    failureThreshold,
  });
  const container = {
    name: 'coolwsd',
    image,
    imagePullPolicy: 'IfNotPresent',
    args: coolwsdArgs(inputs),
    env: Object.entries(aliasGroupEnv(inputs)).map(([name, value]) => ({ name, value })),
    ports: [{ name: 'http', containerPort: COLLABORA_PORT }],
    resources: withDefaults(spec.resources, RESOURCE_DEFAULTS),
    // The first start scans fonts and pre-initialises LibreOffice before discovery answers.
    startupProbe: probe(5, 5, 36),
    readinessProbe: probe(10, 5, 3),
    // Restarting coolwsd drops every open editing session: only when it stays unresponsive.
    livenessProbe: probe(20, 10, 6),
    securityContext: containerSecurityContext,
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'child-roots', mountPath: CHILD_ROOTS },
      // subPath: the rest of /etc/coolwsd (coolwsd.xml) comes from the image.
      { name: 'proof-key', mountPath: PROOF_KEY_PATH, subPath: 'proof_key', readOnly: true },
    ],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(owner, objectNames.collaboraService(owner.name)),
    spec: {
      replicas: spec.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      // Sessions move to the new pod when the old one stops; never fewer pods than asked for.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: { ...labels(owner.name), ...versionLabel(image) },
          ...(proofKey.version === undefined
            ? {}
            : { annotations: { [PROOF_KEY_ANNOTATION]: proofKey.version } }),
        },
        spec: {
          securityContext: podSecurityContext(COOL_UID, COOL_GID),
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: GRACE_SECONDS,
          ...(spec.replicas > 1
            ? {
                // One node going down should not take every editing session with it.
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: 'kubernetes.io/hostname',
                    whenUnsatisfiable: 'ScheduleAnyway',
                    labelSelector: { matchLabels: selector },
                  },
                ],
              }
            : {}),
          containers: [container],
          volumes: [
            // LibreOffice's temporary files and coolwsd's cache (cache_files.path).
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
            // A copy of each open document and its LibreOffice profile, per jail.
            { name: 'child-roots', emptyDir: { sizeLimit: '4Gi' } },
            {
              name: 'proof-key',
              secret: {
                secretName: proofKey.secretName,
                items: [{ key: proofKey.key, path: 'proof_key' }],
                defaultMode: 0o440,
              },
            },
          ],
        },
      },
    },
  } as KubeObject;
}

/**
 * The edge (routes and, without a host, the Drive hosts), Drive's pods (the worker fetches
 * discovery) and the operator (it validates discovery). Egress stays open: coolwsd calls each
 * Drive back at WOPI_SRC_BASE_URL, wherever that resolves.
 */
function networkPolicy(inputs: CollaboraInputs): KubeObject {
  const { owner } = inputs;
  // edgePeers reads only spec.edge.
  const edge = edgePeers({ edge: inputs.edge } as DriveInstanceSpec);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(owner, objectNames.collaboraService(owner.name)),
    spec: {
      podSelector: { matchLabels: collaboraSelectorLabels(owner.name) },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            ...edge,
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'drive' } } },
            {
              namespaceSelector: {},
              podSelector: { matchLabels: { 'app.kubernetes.io/name': MANAGED_BY } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 'http' }],
        },
      ],
    },
  } as KubeObject;
}

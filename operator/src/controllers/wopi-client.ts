// A WopiClient: a managed Collabora deployed for the DriveInstances that use it (their hosts
// are its WOPI allow-list, one proof key for every replica), then its discovery document
// fetched from the URL Drive will use and validated the way Drive parses it (first net-zone,
// edit actions, a complete proof key), reported as DiscoveryValid with the extensions it opens.
import { createHash } from 'node:crypto';
import type { WopiClientSpec } from '../api/wopi-client.js';
import { COLLABORA_PORT, objectNames, serviceUrl } from '../render/object-names.js';
import { collaboraObjects, generateProofKey } from '../render/collabora.js';
import type { KubeObject } from '../runtime/api-client.js';
import type { ConditionInput } from '../runtime/conditions.js';
import type { Manager } from '../runtime/manager.js';
import { referencingDrives, type ReferencedNames } from './drive-references.js';
import type { OwnedChildren } from './owned-children.js';
import { ownedSecret, readSecretValues } from './owned-secrets.js';
import type { Report, StatusObject } from './status-writer.js';

/** Discovery is fetched again this often: an editor upgrade can change it. */
const DISCOVERY_POLL_MS = 300_000;

function discoveryUrlOf(object: StatusObject, spec: WopiClientSpec): string {
  return (
    spec.external?.discoveryUrl ??
    serviceUrl(
      objectNames.collaboraService(object.metadata.name),
      object.metadata.namespace ?? '',
      COLLABORA_PORT,
      '/hosting/discovery',
    )
  );
}

type Deployment = KubeObject & {
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number };
};

export const EDITOR_REFERENCES: ReferencedNames = (spec) =>
  spec.wopiClientRefs.map((ref) => ref.name);

/**
 * The proof key all replicas sign with: the spec's Secret, or one generated once and then
 * kept; the generated one is returned as a child to apply with the rest.
 */
async function proofKey(manager: Manager, object: StatusObject, spec: WopiClientSpec) {
  const given = spec.managed?.proofKeySecretRef;
  const ref = given ?? { name: `${object.metadata.name}-collabora-proof-key`, key: 'proof_key' };
  let pem = (await readSecretValues(manager, object.metadata.namespace ?? '', ref.name))?.[ref.key];
  if (pem === undefined && !given) pem = generateProofKey();
  // A digest, not the key: it only has to change when the key does, to roll the pods.
  const version =
    pem === undefined ? undefined : createHash('sha256').update(pem).digest('hex').slice(0, 12);
  return {
    secretName: ref.name,
    key: ref.key,
    version,
    missing: pem === undefined,
    secret: given || pem === undefined ? [] : [ownedSecret(object, ref.name, { [ref.key]: pem })],
  };
}

/** Deploys a managed Collabora; undefined once it is available, else what it waits for. */
async function deployCollabora(
  manager: Manager,
  children: OwnedChildren,
  object: StatusObject,
  spec: WopiClientSpec,
): Promise<Report | undefined> {
  const managed = spec.managed;
  if (!managed) return undefined;
  const drives = referencingDrives(manager, object, EDITOR_REFERENCES);
  const first = drives[0];
  if (!first)
    return {
      outcome: {
        state: 'Progressing',
        reason: 'Progressing',
        message:
          'no DriveInstance references this editor yet: its edge and WOPI hosts come from them',
      },
      domain: [
        {
          type: 'EditorAvailable',
          status: 'False',
          reason: 'Progressing',
          message: 'not deployed yet',
        },
      ],
    };
  const key = await proofKey(manager, object, spec);
  if (key.missing)
    return {
      outcome: {
        state: 'Progressing',
        reason: 'ReferenceNotFound',
        message: `Secret ${key.secretName} with key ${key.key} (managed.proofKeySecretRef) does not exist yet`,
      },
      requeueAfterMs: 10_000,
    };
  const objects = collaboraObjects({
    owner: {
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? '',
      uid: object.metadata.uid,
    },
    spec: managed,
    drives: drives.map((drive) => ({
      host: drive.spec.host,
      wopiSrcBaseUrl: `https://${drive.spec.host}`,
    })),
    proofKey: { secretName: key.secretName, key: key.key, version: key.version },
    edge: first.spec.edge,
  });
  await children.apply(object, [...key.secret, ...objects]);
  const name = objects.find((child) => child.kind === 'Deployment')?.metadata.name ?? '';
  const deployment: Deployment | undefined = children.get(
    'apps/v1',
    'Deployment',
    `${object.metadata.namespace ?? ''}/${name}`,
  );
  const available =
    (deployment?.status?.availableReplicas ?? 0) >= 1 &&
    (deployment?.status?.observedGeneration ?? -1) >= (deployment?.metadata.generation ?? 0);
  if (available) return undefined;
  const message = `Deployment ${name} has no available replica yet`;
  return {
    outcome: { state: 'Progressing', reason: 'Progressing', message },
    domain: [{ type: 'EditorAvailable', status: 'False', reason: 'Progressing', message }],
  };
}

export async function reconcileWopiClient(
  manager: Manager,
  children: OwnedChildren,
  object: StatusObject,
  spec: WopiClientSpec,
): Promise<Report> {
  const discoveryUrl = discoveryUrlOf(object, spec);
  const fields: Record<string, unknown> = { discoveryUrl };
  const waiting = await deployCollabora(manager, children, object, spec);
  if (waiting) return { ...waiting, fields };
  const available: ConditionInput[] = spec.managed
    ? [
        {
          type: 'EditorAvailable',
          status: 'True',
          reason: 'Succeeded',
          message: 'the Collabora Deployment has available replicas',
        },
      ]
    : [];
  // Loaded on first use, with its XML parser: many clusters have no editor.
  const { DiscoveryError, fetchWopiDiscovery } = await import('../ports/wopi/discovery.js');
  try {
    const discovery = await fetchWopiDiscovery(discoveryUrl);
    const insecure = discovery.urlsrcOrigins.filter((origin) => origin.startsWith('http:'));
    const notes = [
      ...(discovery.ignoredNetZones.length > 0
        ? [
            `Drive reads only net-zone ${discovery.netZone} (ignores ${discovery.ignoredNetZones.join(', ')})`,
          ]
        : []),
      ...(discovery.proofKey.present ? [] : ['no proof key: Drive will not check WOPI proofs']),
    ];
    if (insecure.length > 0) {
      const message = `the editor announces ${insecure.join(', ')}: browsers block an http editor inside https Drive; run it with ssl.termination=true behind TLS`;
      return {
        outcome: { state: 'Stalled', reason: 'DiscoveryMalformed', message },
        domain: [
          { type: 'DiscoveryValid', status: 'False', reason: 'DiscoveryMalformed', message },
        ],
        fields,
        requeueAfterMs: DISCOVERY_POLL_MS,
      };
    }
    return {
      outcome: {
        state: 'Ready',
        message: `discovery valid: ${String(discovery.editExtensions.length)} extensions open for editing`,
      },
      domain: [
        ...available,
        {
          type: 'DiscoveryValid',
          status: 'True',
          reason: 'Succeeded',
          message: [
            `edit actions for ${String(discovery.editExtensions.length)} extensions`,
            ...notes,
          ].join('; '),
        },
      ],
      fields: {
        ...fields,
        extensions: discovery.editExtensions.slice(0, 512),
        proofKey: { present: discovery.proofKey.present, hasOldKey: discovery.proofKey.hasOldKey },
      },
      requeueAfterMs: DISCOVERY_POLL_MS,
    };
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    const transient = error.problem === 'DiscoveryUnreachable';
    return {
      outcome: transient
        ? { state: 'Progressing', reason: error.problem, message: `${error.message}; retrying` }
        : { state: 'Stalled', reason: error.problem, message: error.message },
      domain: [
        { type: 'DiscoveryValid', status: 'False', reason: error.problem, message: error.message },
      ],
      fields,
      retry: transient,
      requeueAfterMs: transient ? undefined : DISCOVERY_POLL_MS,
    };
  }
}

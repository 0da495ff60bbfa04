// Reconciles a DriveInstance: resolve what it references (from the caches), render the desired
// objects, apply what differs with server-side apply, delete children no longer desired, and
// report readiness from the children themselves.
import { driveInstanceSpec, type DriveInstanceSpec } from '../api/drive-instance.js';
import type { Condition } from '../api/status.js';
import type { OidcClientSpec, OidcClientStatus } from '../api/oidc-client.js';
import { isIP } from 'node:net';
import type { StorageMountSpec, StorageMountStatus } from '../api/storage-mount.js';
import type { WopiClientSpec } from '../api/wopi-client.js';
import type { ResolvedIdentity } from '../contract/drive-env.js';
import type {
  DriveRenderInputs,
  ExistingSecret,
  ReferencedSecret,
  ResolvedEditorRoute,
} from '../render/drive-inputs.js';
import { renderDrive, RenderError, type RenderedDrive } from '../render/drive-objects.js';
import { randomSecret } from '../render/random-secret.js';
import { MEDIA_GATEWAY_IMAGE, SMB_MOUNT_IMAGE } from '../render/images.js';
import type { ResolvedSmbMount } from '../render/smb-mounts.js';
import { objectNames } from '../render/object-names.js';
import {
  managedEditorRoute,
  resolveEditor,
  resolveIdentity,
  resolveStorage,
} from '../render/resolve-references.js';
import { secretKeyRefs } from '../render/secret-references.js';
import { type KubeObject } from '../runtime/api-client.js';
import { conditionStatus, type ConditionInput, type Outcome } from '../runtime/conditions.js';
import { objectKey } from '../runtime/informer.js';
import { onlyStatusChanged } from '../runtime/live-state.js';
import { MANAGED_SELECTOR, OwnedChildren } from './owned-children.js';
import { isPaused, writeStatus } from './status-writer.js';
import { errorMessage, type Manager } from '../runtime/manager.js';
import type { ReconcileResult } from '../runtime/work-queue.js';

const GROUP_VERSION = 'lasuite.selfhost.dev/v1alpha1';

type DriveInstance = KubeObject & {
  spec: unknown;
  status?: { conditions?: Condition[] } & Record<string, unknown>;
};
type Secret = KubeObject & { data?: Record<string, string> };
type Deployment = KubeObject & {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
  };
};
type Job = KubeObject & {
  status?: { succeeded?: number; conditions?: { type: string; status: string }[] };
};

/** 127.0.0.0/8, ::1 or localhost: inside a pod, that is the pod itself. */
function isLoopbackEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

class Waiting extends Error {
  constructor(
    readonly outcome: Outcome & { state: 'Progressing' | 'Stalled' },
    readonly domain: ConditionInput[] = [],
  ) {
    super(outcome.message);
  }
}

function decode(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString(),
    ]),
  );
}

export class DriveInstanceController {
  private readonly enqueue: (key: string) => void;
  /** Which DriveInstances reference which object (kind/namespace/name). */
  private readonly references = new Map<string, Set<string>>();
  private readonly children: OwnedChildren;

  constructor(private readonly manager: Manager) {
    this.enqueue = manager.addController({
      name: 'driveinstance',
      concurrency: 8,
      reconcile: (key) => this.reconcile(key),
    });
    manager.subscribe(GROUP_VERSION, 'DriveInstance', (event, object, previous) => {
      if (event === 'deleted') this.forgetReferences(objectKey(object));
      if (event === 'updated' && onlyStatusChanged(previous, object)) return;
      this.enqueue(objectKey(object));
    });
    for (const kind of ['StorageMount', 'OidcClient', 'WopiClient']) {
      manager.subscribe(GROUP_VERSION, kind, (_event, object) => {
        this.enqueueReferencing(kind, object);
      });
    }
    manager.subscribe('v1', 'Secret', (_event, object) => {
      this.enqueueReferencing('Secret', object);
    });
    this.children = new OwnedChildren(manager, 'DriveInstance', (key) => {
      this.enqueue(key);
    });
  }

  private enqueueReferencing(kind: string, object: KubeObject): void {
    for (const key of this.references.get(`${kind}/${objectKey(object)}`) ?? []) this.enqueue(key);
  }

  private recordReferences(key: string, referenced: string[]): void {
    this.forgetReferences(key);
    for (const id of referenced) {
      const set = this.references.get(id) ?? new Set<string>();
      set.add(key);
      this.references.set(id, set);
    }
  }

  private forgetReferences(key: string): void {
    for (const set of this.references.values()) set.delete(key);
  }

  // The caller names the shape it reads from the cache.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  private cached<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): T | undefined {
    return this.manager.informer<T>(apiVersion, kind).cache.get(`${namespace}/${name}`);
  }

  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const drive = this.cached<DriveInstance>(
      GROUP_VERSION,
      'DriveInstance',
      key.split('/')[0] ?? '',
      key.split('/')[1] ?? '',
    );
    if (!drive || drive.metadata.deletionTimestamp) return undefined;
    const started = Date.now();
    const log = this.manager.log.child({
      controller: 'driveinstance',
      key,
      generation: drive.metadata.generation,
    });
    if (isPaused(drive)) {
      await this.writeStatus(drive, { state: 'Paused' }, [], {});
      log.info('paused');
      return undefined;
    }
    const parsed = driveInstanceSpec.safeParse(drive.spec);
    if (!parsed.success) {
      await this.stall(
        drive,
        'InvalidSpec',
        `the spec does not match the schema: ${parsed.error.issues[0]?.message ?? ''}`,
      );
      return undefined;
    }
    const spec = parsed.data;
    try {
      const inputs = this.resolve(drive, spec);
      let rendered: RenderedDrive;
      try {
        rendered = this.render(inputs);
      } catch (error) {
        if (error instanceof RenderError) {
          await this.stall(drive, error.reason, error.message);
          return undefined;
        }
        throw error;
      }
      await this.children.apply(drive, rendered.objects);
      const result = await this.report(drive, spec, rendered);
      log.info({ durationMs: Date.now() - started, ready: result.ready }, 'reconciled');
      return result.ready ? undefined : { requeueAfterMs: 30_000 };
    } catch (error) {
      if (error instanceof Waiting) {
        await this.writeStatus(drive, error.outcome, error.domain, {});
        if (error.outcome.state === 'Stalled') return undefined;
        log.info({ durationMs: Date.now() - started, reason: error.outcome.reason }, 'waiting');
        return { requeueAfterMs: 15_000 };
      }
      await this.writeStatus(
        drive,
        {
          state: 'Progressing',
          reason: 'TransientError',
          message: `retrying after: ${errorMessage(error)}`,
        },
        [],
        {},
      ).catch(() => undefined);
      throw error;
    }
  }

  private async stall(drive: DriveInstance, reason: string, message: string): Promise<void> {
    await this.writeStatus(drive, { state: 'Stalled', reason, message }, [], {});
  }

  /** The referenced objects' state, from the caches; throws Waiting when something is missing. */
  private resolve(drive: DriveInstance, spec: DriveInstanceSpec): DriveRenderInputs {
    const namespace = drive.metadata.namespace ?? '';
    const key = objectKey(drive);
    const referenced = [
      `StorageMount/${namespace}/${spec.storageRef.name}`,
      `OidcClient/${namespace}/${spec.oidcClientRef.name}`,
      ...spec.wopiClientRefs.map((ref) => `WopiClient/${namespace}/${ref.name}`),
      ...spec.mounts.map((mount) => `StorageMount/${namespace}/${mount.name}`),
    ];
    this.recordReferences(key, referenced);

    const mount = this.cached<KubeObject & { spec: StorageMountSpec; status?: StorageMountStatus }>(
      GROUP_VERSION,
      'StorageMount',
      namespace,
      spec.storageRef.name,
    );
    if (!mount)
      throw new Waiting({
        state: 'Progressing',
        reason: 'ReferenceNotFound',
        message: `StorageMount ${spec.storageRef.name} does not exist yet`,
      });
    if (!mount.spec.s3) {
      throw new Waiting({
        state: 'Stalled',
        reason: 'ReferenceInvalid',
        message: `StorageMount ${spec.storageRef.name} has type ${mount.spec.type}; spec.storageRef needs a StorageMount of type s3`,
      });
    }
    const internalEndpoint = mount.status?.endpoints?.internal;
    if (mount.spec.s3.endpoints.internal === undefined && internalEndpoint === undefined) {
      throw new Waiting({
        state: 'Progressing',
        reason: 'WaitingForStorage',
        message: `StorageMount ${spec.storageRef.name} has no internal endpoint yet`,
      });
    }
    const storage = resolveStorage(spec.storageRef.name, mount.spec.s3, { internalEndpoint });
    if (isLoopbackEndpoint(storage.internalEndpoint)) {
      throw new Waiting({
        state: 'Stalled',
        reason: 'InvalidSpec',
        message: `StorageMount ${spec.storageRef.name} has the internal endpoint ${storage.internalEndpoint}, a loopback address: Drive's pods and the edge cannot reach a store there; set spec.s3.endpoints.internal to the store's Service or address`,
      });
    }

    const client = this.cached<KubeObject & { spec: OidcClientSpec; status?: OidcClientStatus }>(
      GROUP_VERSION,
      'OidcClient',
      namespace,
      spec.oidcClientRef.name,
    );
    if (!client)
      throw new Waiting({
        state: 'Progressing',
        reason: 'ReferenceNotFound',
        message: `OidcClient ${spec.oidcClientRef.name} does not exist yet`,
      });
    const endpoints = client.status?.endpoints;
    if (!endpoints?.authorization || !endpoints.token || !endpoints.userinfo || !endpoints.jwks) {
      throw new Waiting({
        state: 'Progressing',
        reason: 'WaitingForIdentity',
        message: `OidcClient ${spec.oidcClientRef.name} has not discovered its issuer's endpoints yet`,
      });
    }
    const identity: ResolvedIdentity = resolveIdentity(spec.oidcClientRef.name, client.spec, {
      authorization: endpoints.authorization,
      token: endpoints.token,
      userinfo: endpoints.userinfo,
      jwks: endpoints.jwks,
      ...(endpoints.endSession ? { endSession: endpoints.endSession } : {}),
      ...(endpoints.introspection ? { introspection: endpoints.introspection } : {}),
    });

    const editors: ResolvedEditorRoute[] = spec.wopiClientRefs.map((ref) => {
      const editor = this.cached<KubeObject & { spec: WopiClientSpec }>(
        GROUP_VERSION,
        'WopiClient',
        namespace,
        ref.name,
      );
      if (!editor)
        throw new Waiting({
          state: 'Progressing',
          reason: 'ReferenceNotFound',
          message: `WopiClient ${ref.name} does not exist yet`,
        });
      return editor.spec.external
        ? resolveEditor(editor.spec, editor.spec.external.discoveryUrl)
        : managedEditorRoute(ref.name, namespace, editor.spec);
    });

    const mounts: ResolvedSmbMount[] = spec.mounts.map((ref) => {
      const mount = this.cached<KubeObject & { spec: StorageMountSpec }>(
        GROUP_VERSION,
        'StorageMount',
        namespace,
        ref.name,
      );
      if (!mount)
        throw new Waiting({
          state: 'Progressing',
          reason: 'ReferenceNotFound',
          message: `StorageMount ${ref.name} does not exist yet`,
        });
      if (!mount.spec.smb)
        throw new Waiting({
          state: 'Stalled',
          reason: 'ReferenceInvalid',
          message: `StorageMount ${ref.name} has type ${mount.spec.type}; spec.mounts lists SMB mounts, and the S3 one goes in spec.storageRef`,
        });
      return { name: ref.name, smb: mount.spec.smb };
    });

    const existingSecrets: Record<string, ExistingSecret> = {};
    for (const name of [
      objectNames.generatedSecret(drive.metadata.name),
      objectNames.redis(drive.metadata.name),
      objectNames.mountsSecret(drive.metadata.name),
    ]) {
      const secret = this.cached<Secret>('v1', 'Secret', namespace, name);
      if (secret)
        existingSecrets[name] = {
          data: decode(secret.data),
          annotations: secret.metadata.annotations ?? {},
        };
    }
    return {
      instance: {
        name: drive.metadata.name,
        namespace,
        uid: drive.metadata.uid,
        spec,
        annotations: drive.metadata.annotations ?? {},
      },
      storage,
      identity,
      editors,
      mounts,
      existingSecrets,
      referencedSecrets: {},
      mediaGatewayImage: MEDIA_GATEWAY_IMAGE,
      smbMountImage: SMB_MOUNT_IMAGE,
      randomValue: randomSecret,
    };
  }

  /** Renders twice: once to learn which Secrets the workloads read, then with their state. */
  private render(inputs: DriveRenderInputs): RenderedDrive {
    const first = renderDrive({ ...inputs, randomValue: () => '' });
    const referencedSecrets: Record<string, ReferencedSecret> = {};
    const names = new Set(secretKeyRefs(first.objects).map((ref) => ref.name));
    for (const name of names) {
      const secret = this.cached<Secret>('v1', 'Secret', inputs.instance.namespace, name);
      if (
        secret &&
        !(name in inputs.existingSecrets) &&
        !first.objects.some((o) => o.kind === 'Secret' && o.metadata.name === name)
      ) {
        referencedSecrets[name] = {
          keys: Object.keys(secret.data ?? {}),
          resourceVersion: secret.metadata.resourceVersion ?? '',
        };
      }
    }
    const key = `${inputs.instance.namespace}/${inputs.instance.name}`;
    const ids = [...names].map((name) => `Secret/${inputs.instance.namespace}/${name}`);
    for (const id of ids) {
      const set = this.references.get(id) ?? new Set<string>();
      set.add(key);
      this.references.set(id, set);
    }
    return renderDrive({ ...inputs, referencedSecrets });
  }

  private deployment(namespace: string, name: string): Deployment | undefined {
    return this.manager
      .informer<Deployment>('apps/v1', 'Deployment', MANAGED_SELECTOR)
      .cache.get(`${namespace}/${name}`);
  }

  /** Readiness from the children, the referenced resources and the Secrets. */
  private async report(
    drive: DriveInstance,
    spec: DriveInstanceSpec,
    rendered: RenderedDrive,
  ): Promise<{ ready: boolean }> {
    const namespace = drive.metadata.namespace ?? '';
    const name = drive.metadata.name;
    const domain: ConditionInput[] = [];
    const waiting: { reason: string; message: string }[] = [];
    const condition = (type: string, ok: boolean, reason: string, message: string) => {
      domain.push({
        type,
        status: ok ? 'True' : 'False',
        reason: ok ? 'Succeeded' : reason,
        message,
      });
      if (!ok) waiting.push({ reason, message });
    };

    const mount = this.cached<KubeObject & { status?: StorageMountStatus }>(
      GROUP_VERSION,
      'StorageMount',
      namespace,
      spec.storageRef.name,
    );
    condition(
      'StorageReady',
      conditionStatus(mount?.status?.conditions, 'Ready') === 'True',
      'WaitingForStorage',
      `StorageMount ${spec.storageRef.name} is ${conditionStatus(mount?.status?.conditions, 'Ready') === 'True' ? 'Ready' : 'not Ready yet'}`,
    );
    const client = this.cached<KubeObject & { status?: OidcClientStatus }>(
      GROUP_VERSION,
      'OidcClient',
      namespace,
      spec.oidcClientRef.name,
    );
    condition(
      'IdentityReady',
      conditionStatus(client?.status?.conditions, 'Ready') === 'True',
      'WaitingForIdentity',
      `OidcClient ${spec.oidcClientRef.name} is ${conditionStatus(client?.status?.conditions, 'Ready') === 'True' ? 'Ready' : 'not Ready yet'}`,
    );
    const editorsNotReady = spec.wopiClientRefs.filter((ref) => {
      const editor = this.cached<KubeObject & { status?: { conditions?: Condition[] } }>(
        GROUP_VERSION,
        'WopiClient',
        namespace,
        ref.name,
      );
      return conditionStatus(editor?.status?.conditions, 'Ready') !== 'True';
    });
    condition(
      'EditorsReady',
      editorsNotReady.length === 0,
      'WaitingForEditors',
      editorsNotReady.length === 0
        ? 'every WopiClient is Ready'
        : `WopiClient ${editorsNotReady.map((ref) => ref.name).join(', ')} not Ready yet`,
    );

    const { missingKeys, missingSecrets } = rendered.secretProblems;
    if (missingKeys.length > 0) {
      const message = `missing Secret keys: ${missingKeys.map((problem) => `${problem.secret}/${problem.key}`).join(', ')}; add them to the Secrets`;
      domain.push({ type: 'SecretsReady', status: 'False', reason: 'SecretKeyMissing', message });
      await this.writeStatus(
        drive,
        { state: 'Stalled', reason: 'SecretKeyMissing', message },
        domain,
        this.statusFields(spec, rendered, name, namespace),
      );
      return { ready: false };
    }
    condition(
      'SecretsReady',
      missingSecrets.length === 0,
      'ReferenceNotFound',
      missingSecrets.length === 0
        ? 'every referenced Secret key is present'
        : `waiting for Secret ${missingSecrets.join(', ')}`,
    );

    const job = this.manager
      .informer<Job>('batch/v1', 'Job', MANAGED_SELECTOR)
      .cache.get(`${namespace}/${rendered.migrationsJob}`);
    const failed =
      job?.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ?? false;
    if (failed) {
      const message = `migrations Job ${rendered.migrationsJob} failed; see its pod logs, then delete the Job to retry`;
      domain.push({
        type: 'MigrationsComplete',
        status: 'False',
        reason: 'MigrationsFailed',
        message,
      });
      await this.writeStatus(
        drive,
        { state: 'Stalled', reason: 'MigrationsFailed', message },
        domain,
        this.statusFields(spec, rendered, name, namespace),
      );
      return { ready: false };
    }
    condition(
      'MigrationsComplete',
      (job?.status?.succeeded ?? 0) > 0,
      'WaitingForMigrations',
      `migrations Job ${rendered.migrationsJob} ${(job?.status?.succeeded ?? 0) > 0 ? 'succeeded' : 'has not completed yet'}`,
    );

    const components = this.components(rendered, name, namespace);
    const unavailable = Object.entries(components)
      .filter(([, component]) => !component.available)
      .map(([component]) => component);
    condition(
      'WorkloadsAvailable',
      unavailable.length === 0,
      'WaitingForWorkloads',
      unavailable.length === 0
        ? 'every Deployment is available'
        : `not available yet: ${unavailable.join(', ')}`,
    );
    condition(
      'MediaAuthRouteReady',
      true,
      'Succeeded',
      `/media is authorised by ${rendered.mediaAuth}`,
    );

    const first = waiting[0];
    const outcome: Outcome = first
      ? { state: 'Progressing', ...first }
      : { state: 'Ready', message: `Drive ${spec.version} serves https://${spec.host}` };
    await this.writeStatus(
      drive,
      outcome,
      domain,
      this.statusFields(spec, rendered, name, namespace),
    );
    return { ready: !first };
  }

  private components(rendered: RenderedDrive, name: string, namespace: string) {
    const entries: [string, string][] = [
      ['backend', objectNames.backend(name)],
      ['frontend', objectNames.frontend(name)],
      ['worker', objectNames.worker(name)],
      ['beat', objectNames.beat(name)],
      ...(rendered.mediaAuth === 'Gateway'
        ? ([['mediaGateway', objectNames.mediaGateway(name)]] as [string, string][])
        : []),
      ...(rendered.hasMounts ? ([['mounts', objectNames.mounts(name)]] as [string, string][]) : []),
    ];
    return Object.fromEntries(
      entries.map(([component, deploymentName]) => {
        const deployment = this.deployment(namespace, deploymentName);
        const wanted = deployment?.spec?.replicas ?? 1;
        const status = deployment?.status;
        const current =
          (status?.observedGeneration ?? -1) >= (deployment?.metadata.generation ?? 0);
        const available = Boolean(
          deployment &&
          current &&
          (status?.availableReplicas ?? 0) >= wanted &&
          (status?.updatedReplicas ?? 0) >= wanted,
        );
        return [
          component,
          { replicas: wanted, readyReplicas: status?.readyReplicas ?? 0, available },
        ];
      }),
    );
  }

  private statusFields(
    spec: DriveInstanceSpec,
    rendered: RenderedDrive,
    name: string,
    namespace: string,
  ): Record<string, unknown> {
    const components = this.components(rendered, name, namespace);
    return {
      url: `https://${spec.host}`,
      version: spec.version,
      mediaAuth: rendered.mediaAuth,
      components: Object.fromEntries(
        Object.entries(components).map(([component, value]) => [
          component,
          { replicas: value.replicas, readyReplicas: value.readyReplicas },
        ]),
      ),
      migrations: {
        job: rendered.migrationsJob,
        completed:
          (this.manager
            .informer<Job>('batch/v1', 'Job', MANAGED_SELECTOR)
            .cache.get(`${namespace}/${rendered.migrationsJob}`)?.status?.succeeded ?? 0) > 0,
      },
    };
  }

  private writeStatus(
    drive: DriveInstance,
    outcome: Outcome,
    domain: ConditionInput[],
    fields: Record<string, unknown>,
  ): Promise<void> {
    return writeStatus(this.manager, drive, outcome, domain, fields);
  }
}

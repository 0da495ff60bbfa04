// The objects a resource owns in the cluster: applied with server-side apply only when the live
// object lacks a desired field, deleted when no longer desired, and watched (by our label) so
// that an edit or a deletion by someone else brings the owner back to reconcile. Shared by the
// DriveInstance controller and the WopiClient controller (a managed Collabora).
import type { KubeObject as RenderedObject } from '../render/drive-objects.js';
import { MANAGED_BY } from '../render/labels.js';
import type { KubeObject } from '../runtime/api-client.js';
import { objectKey } from '../runtime/informer.js';
import { containsDesired } from '../runtime/live-state.js';
import type { Manager } from '../runtime/manager.js';
import { FIELD_MANAGER } from './status-writer.js';

export const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY}`;

/** Kinds of the children, watched (by our label) so that edits and deletions are undone. */
export const CHILD_KINDS: [string, string][] = [
  ['v1', 'ConfigMap'],
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['batch/v1', 'Job'],
  ['batch/v1', 'CronJob'],
  ['policy/v1', 'PodDisruptionBudget'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['discovery.k8s.io/v1', 'EndpointSlice'],
];

/** Children of kinds other projects define; watched once an owner needs them. */
const OPTIONAL_CHILD_KINDS = new Set([
  'cert-manager.io/v1/Certificate',
  'postgresql.cnpg.io/v1/Cluster',
  'traefik.io/v1alpha1/Middleware',
  'traefik.io/v1alpha1/IngressRoute',
  'traefik.io/v1alpha1/TraefikService',
  'networking.k8s.io/v1/Ingress',
  'gateway.networking.k8s.io/v1/HTTPRoute',
]);

/** Secrets are cached without a selector: resources reference Secrets users create. */
const selectorFor = (kind: string) => (kind === 'Secret' ? undefined : MANAGED_SELECTOR);

export class OwnedChildren {
  private readonly watchedOptional = new Set<string>();

  constructor(
    private readonly manager: Manager,
    private readonly ownerKind: string,
    private readonly enqueueOwner: (key: string) => void,
  ) {
    for (const [apiVersion, kind] of CHILD_KINDS) this.watch(apiVersion, kind);
  }

  private watch(apiVersion: string, kind: string): void {
    this.manager.subscribe(
      apiVersion,
      kind,
      (_event, object) => {
        const owner = object.metadata.ownerReferences?.find(
          (reference) => reference.kind === this.ownerKind && reference.controller,
        );
        if (owner) this.enqueueOwner(`${object.metadata.namespace ?? ''}/${owner.name}`);
      },
      selectorFor(kind),
    );
  }

  /** The cached child, as the informer last saw it. */
  get(apiVersion: string, kind: string, key: string): KubeObject | undefined {
    return this.manager.informer(apiVersion, kind, selectorFor(kind)).cache.get(key);
  }

  /** Applies what differs, then deletes owned children of the watched kinds not desired. */
  async apply(owner: KubeObject, objects: readonly RenderedObject[]): Promise<void> {
    const desired = new Set<string>();
    for (const object of objects as readonly KubeObject[]) {
      const id = `${object.apiVersion}/${object.kind}`;
      desired.add(`${id}/${object.metadata.name}`);
      if (OPTIONAL_CHILD_KINDS.has(id) && !this.watchedOptional.has(id)) {
        this.watchedOptional.add(id);
        this.watch(object.apiVersion, object.kind);
      }
      const live = this.get(object.apiVersion, object.kind, objectKey(object));
      if (live && containsDesired(live, object)) continue;
      await this.manager.api.apply(object, FIELD_MANAGER);
      this.manager.log.info(
        { key: objectKey(owner), object: `${object.kind}/${object.metadata.name}`, created: !live },
        'applied',
      );
    }
    await this.prune(owner, desired);
  }

  private async prune(owner: KubeObject, desired: Set<string>): Promise<void> {
    const kinds = [
      ...CHILD_KINDS.map(([apiVersion, kind]) => `${apiVersion}/${kind}`),
      ...this.watchedOptional,
      'v1/Secret',
    ];
    for (const id of kinds) {
      const separator = id.lastIndexOf('/');
      const apiVersion = id.slice(0, separator);
      const kind = id.slice(separator + 1);
      const informer = this.manager.informer<KubeObject>(apiVersion, kind, selectorFor(kind));
      for (const object of informer.cache.values()) {
        const owned = object.metadata.ownerReferences?.some(
          (reference) => reference.uid === owner.metadata.uid && reference.controller,
        );
        if (
          owned &&
          object.metadata.namespace === owner.metadata.namespace &&
          !desired.has(`${id}/${object.metadata.name}`)
        )
          await this.manager.api.delete(
            apiVersion,
            kind,
            object.metadata.namespace,
            object.metadata.name,
          );
      }
    }
  }
}

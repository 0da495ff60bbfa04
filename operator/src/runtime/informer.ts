// A supervised list-and-watch cache. client-node's informer stops on any error other than 410;
// this one restarts after every failure with jittered backoff, relists on 410, asks for
// bookmarks, re-establishes the watch before the server would time it out, relists everything
// on a timer (and reports every key, so nothing missed stays missed), and records when it last
// heard from the server.
import {
  ApiError,
  isGone,
  type ApiClient,
  type KubeObject,
  type ObjectList,
} from './api-client.js';
import { collectionPath, resourceKind } from './resource-kinds.js';

export type InformerEvent = 'added' | 'updated' | 'deleted' | 'resync';

export interface InformerOptions<T extends KubeObject> {
  api: ApiClient;
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  /** Full relist period; a random value in [min, max] each time. */
  resyncMs?: [number, number];
  onEvent(event: InformerEvent, object: T, previous?: T): void;
  onError?(error: unknown): void;
  random?: () => number;
}

export function objectKey(object: { metadata: { namespace?: string; name: string } }): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 30_000;

export class Informer<T extends KubeObject> {
  readonly cache = new Map<string, T>();
  /** When the server last sent anything (list, event or bookmark), ms since epoch. */
  lastEventAt = 0;
  /** Watches started since creation; more than one means it recovered at least once. */
  watchStarts = 0;
  /** Full lists since creation: the first, periodic resyncs, and every recovery from a 410. */
  relists = 0;
  private resourceVersion = '';
  private abort?: AbortController;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private failures = 0;
  private syncedResolve!: () => void;
  readonly synced = new Promise<void>((resolve) => (this.syncedResolve = resolve));

  constructor(private readonly options: InformerOptions<T>) {}

  get name(): string {
    return `${this.options.kind}${this.options.namespace ? `/${this.options.namespace}` : ''}`;
  }

  start(): void {
    void this.relist();
    this.scheduleResync();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.abort = undefined;
    clearTimeout(this.restartTimer);
    clearTimeout(this.resyncTimer);
  }

  /**
   * Test hook: drops the watch and resumes it from the given resourceVersion, as after a long
   * disconnection (a version the server has compacted away answers 410).
   */
  rewatchFrom(resourceVersion: string): void {
    this.resourceVersion = resourceVersion;
    this.abort?.abort();
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  private scheduleResync(): void {
    const [min, max] = this.options.resyncMs ?? [300_000, 600_000];
    this.resyncTimer = setTimeout(
      () => {
        if (this.stopped) return;
        void this.relist(true);
        this.scheduleResync();
      },
      min + this.random() * (max - min),
    );
    this.resyncTimer.unref();
  }

  /**
   * What the cache keeps of an object. managedFields are dropped: nothing here reads them, and they
   * are often a third of an object's size.
   */
  private cachedForm(raw: T): T {
    const { managedFields: _managedFields, ...metadata } = raw.metadata as T['metadata'] & {
      managedFields?: unknown;
    };
    return { ...raw, metadata, apiVersion: this.options.apiVersion, kind: this.options.kind };
  }

  private scheduleRestart(relist: boolean): void {
    if (this.stopped) return;
    this.failures += 1;
    const delay =
      Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (this.failures - 1)) * (0.5 + this.random());
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void (relist ? this.relist() : this.watch()), delay);
    this.restartTimer.unref();
  }

  /** Replaces the cache with a fresh list, reporting what changed (and, on resync, everything). */
  private async relist(resync = false): Promise<void> {
    if (this.stopped) return;
    this.abort?.abort();
    this.abort = undefined;
    this.relists += 1;
    let list: ObjectList<T>;
    try {
      list = await this.options.api.list<T>(
        this.options.apiVersion,
        this.options.kind,
        this.options.namespace,
        {
          labelSelector: this.options.labelSelector,
        },
      );
    } catch (error) {
      this.options.onError?.(error);
      this.scheduleRestart(true);
      return;
    }
    this.lastEventAt = Date.now();
    const seen = new Set<string>();
    for (const raw of list.items) {
      const object = this.cachedForm(raw);
      const key = objectKey(object);
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, object);
      if (!previous) this.options.onEvent('added', object);
      else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion)
        this.options.onEvent('updated', object, previous);
      else if (resync) this.options.onEvent('resync', object);
    }
    for (const [key, object] of this.cache) {
      if (!seen.has(key)) {
        this.cache.delete(key);
        this.options.onEvent('deleted', object);
      }
    }
    this.resourceVersion = list.metadata.resourceVersion;
    this.syncedResolve();
    await this.watch();
  }

  private async watch(): Promise<void> {
    if (this.stopped) return;
    this.watchStarts += 1;
    const path = collectionPath(
      resourceKind(this.options.apiVersion, this.options.kind),
      this.options.namespace,
    );
    const controller = new AbortController();
    this.abort = controller;
    const startedAt = Date.now();
    // The server ends the watch before a silent proxy could; a fresh one follows at once.
    const timeoutSeconds = 240 + Math.floor(this.random() * 120);
    let failure: unknown;
    try {
      await this.options.api.watch(
        path,
        {
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: 'true',
          labelSelector: this.options.labelSelector,
          timeoutSeconds: String(timeoutSeconds),
        },
        (type, object) => {
          this.lastEventAt = Date.now();
          const error = this.handle(type, object as T);
          if (error) {
            failure = error;
            controller.abort();
          }
        },
        controller.signal,
        (timeoutSeconds + 60) * 1000,
      );
    } catch (error) {
      failure = error;
    }
    // Stopped, or replaced by a relist (both drop this.abort): nothing to resume.
    if (this.abort !== controller) return;
    const expired = isGone(failure);
    // A watch the server closes at once is a failure too, or this would spin.
    if (failure === undefined && Date.now() - startedAt > 1000) {
      // The server closed the watch on schedule: resume from the last resourceVersion now.
      this.failures = 0;
      void this.watch();
      return;
    }
    if (failure !== undefined && !expired) this.options.onError?.(failure);
    this.scheduleRestart(expired);
  }

  /** Applies one watch event to the cache; returns the error an ERROR event carries. */
  private handle(type: string, raw: T): ApiError | undefined {
    if (type === 'ERROR') {
      // A Status object; 410 means our resourceVersion is too old.
      const status = raw as unknown as { code?: number; reason?: string; message?: string };
      return new ApiError(status.code ?? 500, status.reason ?? 'Unknown', status.message ?? '');
    }
    if (raw.metadata.resourceVersion) this.resourceVersion = raw.metadata.resourceVersion;
    if (type === 'BOOKMARK') return undefined;
    this.failures = 0;
    const object = this.cachedForm(raw);
    const key = objectKey(object);
    const previous = this.cache.get(key);
    if (type === 'DELETED') {
      this.cache.delete(key);
      this.options.onEvent('deleted', object);
    } else {
      this.cache.set(key, object);
      this.options.onEvent(previous ? 'updated' : 'added', object, previous);
    }
    return undefined;
  }
}

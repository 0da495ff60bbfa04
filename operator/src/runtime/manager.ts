// Wires informers, work queues and controllers together: one informer per kind, shared by every
// controller that subscribes to it; one queue per controller; metrics for all of it.
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ApiClient, type KubeObject } from './api-client.js';
import type { ClusterConnection } from './cluster-connection.js';
import { EventRecorder } from './events.js';
import { Informer, type InformerEvent } from './informer.js';
import { WorkQueue, type ReconcileResult } from './work-queue.js';

export type Listener = (event: InformerEvent, object: KubeObject, previous?: KubeObject) => void;

export interface ControllerRegistration {
  name: string;
  concurrency: number;
  reconcile(key: string): Promise<ReconcileResult | undefined>;
}

export interface ManagerOptions {
  connection: ClusterConnection;
  log: Logger;
  /** Watch one namespace only; all namespaces when undefined. */
  namespace?: string;
  resyncMs?: [number, number];
}

export class Manager {
  readonly api: ApiClient;
  readonly events: EventRecorder;
  readonly registry = new Registry();
  readonly log: Logger;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly listeners = new Map<string, Listener[]>();
  private readonly queues = new Map<string, WorkQueue>();
  private running = false;
  private readonly reconciles: Counter;
  private readonly reconcileErrors: Counter;
  private readonly reconcileDuration: Histogram;

  constructor(readonly options: ManagerOptions) {
    this.log = options.log;
    this.api = new ApiClient(options.connection);
    // process_resident_memory_bytes, nodejs_heap_size_used_bytes, event-loop lag: the figures a
    // memory limit or a slow reconcile is judged by.
    collectDefaultMetrics({ register: this.registry });
    this.events = new EventRecorder(this.api);
    const requests = new Counter({
      name: 'lasuite_operator_api_requests_total',
      help: 'Kubernetes API requests by verb and status code.',
      labelNames: ['verb', 'code'],
      registers: [this.registry],
    });
    this.api.onRequest((verb, status) => {
      requests.inc({ verb, code: String(status) });
    });
    this.reconciles = new Counter({
      name: 'lasuite_operator_reconciles_total',
      help: 'Reconciles by controller.',
      labelNames: ['controller'],
      registers: [this.registry],
    });
    this.reconcileErrors = new Counter({
      name: 'lasuite_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were requeued with backoff, by controller.',
      labelNames: ['controller'],
      registers: [this.registry],
    });
    this.reconcileDuration = new Histogram({
      name: 'lasuite_operator_reconcile_duration_seconds',
      help: 'Reconcile duration by controller.',
      labelNames: ['controller'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    new Gauge({
      name: 'lasuite_operator_queue_depth',
      help: 'Keys waiting in each controller queue.',
      labelNames: ['controller'],
      registers: [this.registry],
      collect: () => {
        const gauge = this.registry.getSingleMetric('lasuite_operator_queue_depth') as Gauge;
        for (const [name, queue] of this.queues) gauge.set({ controller: name }, queue.depth);
      },
    });
    new Gauge({
      name: 'lasuite_operator_watch_last_event_age_seconds',
      help: 'Seconds since each watch last heard from the API server (events, bookmarks or lists).',
      labelNames: ['watch'],
      registers: [this.registry],
      collect: () => {
        const gauge = this.registry.getSingleMetric(
          'lasuite_operator_watch_last_event_age_seconds',
        ) as Gauge;
        for (const informer of this.informers.values()) {
          if (informer.lastEventAt > 0)
            gauge.set({ watch: informer.name }, (Date.now() - informer.lastEventAt) / 1000);
        }
      },
    });
  }

  /** The shared informer of a kind, started on first use. */
  informer<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    labelSelector?: string,
  ): Informer<T> {
    const id = `${apiVersion}/${kind}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer<KubeObject>({
        api: this.api,
        apiVersion,
        kind,
        namespace: this.options.namespace,
        labelSelector,
        resyncMs: this.options.resyncMs,
        onEvent: (event, object, previous) => {
          for (const listener of this.listeners.get(id) ?? []) listener(event, object, previous);
        },
        onError: (error) => {
          this.log.warn({ watch: id, err: errorMessage(error) }, 'watch failed; restarting');
        },
      });
      this.informers.set(id, informer);
      if (this.running) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  subscribe(apiVersion: string, kind: string, listener: Listener, labelSelector?: string): void {
    const id = `${apiVersion}/${kind}`;
    this.informer(apiVersion, kind, labelSelector);
    this.listeners.set(id, [...(this.listeners.get(id) ?? []), listener]);
  }

  /** Registers a controller; returns the function that queues one of its keys. */
  addController(registration: ControllerRegistration): (key: string) => void {
    const queue = new WorkQueue(
      async (key) => {
        const stopTimer = this.reconcileDuration.startTimer({ controller: registration.name });
        this.reconciles.inc({ controller: registration.name });
        try {
          return await registration.reconcile(key);
        } finally {
          stopTimer();
        }
      },
      {
        concurrency: registration.concurrency,
        onError: (key, error, attempt) => {
          this.reconcileErrors.inc({ controller: registration.name });
          this.log.warn(
            { controller: registration.name, key, attempt, err: errorMessage(error) },
            'reconcile failed; retrying with backoff',
          );
        },
      },
    );
    this.queues.set(registration.name, queue);
    if (this.running) queue.start();
    return (key) => {
      queue.add(key);
    };
  }

  informerList(): Informer<KubeObject>[] {
    return [...this.informers.values()];
  }

  async start(): Promise<void> {
    this.running = true;
    for (const informer of this.informers.values()) informer.start();
    await Promise.all([...this.informers.values()].map((informer) => informer.synced));
    for (const queue of this.queues.values()) queue.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const informer of this.informers.values()) informer.stop();
    await Promise.all([...this.queues.values()].map((queue) => queue.shutdown()));
    this.api.close();
  }

  get idle(): boolean {
    return [...this.queues.values()].every((queue) => queue.depth === 0 && queue.inFlight === 0);
  }
}

/** An error's message, never its payload (which could hold an object with secret data). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
}

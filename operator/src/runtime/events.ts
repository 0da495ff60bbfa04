// Kubernetes Events for external side effects and for every Stalled condition. The same event
// for the same object is recorded once, not on every reconcile.
import type { ApiClient, KubeObject } from './api-client.js';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  private readonly recent = new Map<string, string>();

  constructor(
    private readonly api: ApiClient,
    private readonly component = 'lasuite-operator',
  ) {}

  async record(
    object: KubeObject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const identity = `${object.metadata.uid ?? ''}/${reason}`;
    if (this.recent.get(identity) === message) return;
    this.recent.set(identity, message);
    const now = new Date().toISOString();
    await this.api
      .create({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {
          name: `${object.metadata.name}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
          namespace: object.metadata.namespace,
        },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace: object.metadata.namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      })
      .catch(() => {
        // Events are best effort; a failure must not fail the reconcile.
        this.recent.delete(identity);
      });
  }

  /** Forgets an object's events once it is gone. */
  forget(uid: string): void {
    for (const key of this.recent.keys()) if (key.startsWith(`${uid}/`)) this.recent.delete(key);
  }
}

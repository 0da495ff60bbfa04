// Writing a resource's status the one way every controller does: through the status
// subresource, only when something changed, with Events for every Stalled.
import type { Condition } from '../api/status.js';
import type { KubeObject } from '../runtime/api-client.js';
import { nextConditions, type ConditionInput, type Outcome } from '../runtime/conditions.js';
import { sameJson } from '../runtime/live-state.js';
import type { Manager } from '../runtime/manager.js';

export const FIELD_MANAGER = 'lasuite-operator';
export const PAUSE_ANNOTATION = 'lasuite.selfhost.dev/reconcile';

export type StatusObject = KubeObject & {
  status?: { conditions?: Condition[] } & Record<string, unknown>;
};

/** What a reconcile of a StorageMount, OidcClient or WopiClient found, for writeStatus. */
export interface Report {
  outcome: Outcome;
  domain?: ConditionInput[];
  fields?: Record<string, unknown>;
  requeueAfterMs?: number;
  /** A transient failure: after the status is written, retry with backoff. */
  retry?: boolean;
}

export function isPaused(object: KubeObject): boolean {
  return object.metadata.annotations?.[PAUSE_ANNOTATION] === 'paused';
}

export async function writeStatus(
  manager: Manager,
  object: StatusObject,
  outcome: Outcome,
  domain: readonly ConditionInput[],
  fields: Record<string, unknown>,
): Promise<void> {
  const generation = object.metadata.generation ?? 0;
  const previous = object.status ?? {};
  const conditions = nextConditions(
    previous.conditions,
    generation,
    outcome,
    domain,
    new Date().toISOString(),
  );
  const status = { ...previous, ...fields, observedGeneration: generation, conditions };
  if (outcome.state === 'Stalled')
    await manager.events.record(object, 'Warning', outcome.reason, outcome.message);
  if (sameJson(status, previous)) return;
  await manager.api.applyStatus(
    {
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
      status,
    },
    FIELD_MANAGER,
  );
}

// The status contract every controller reports through: Ready, Reconciling and Stalled from one
// outcome, domain conditions beside them, lastTransitionTime kept while a status holds.
import type { Condition, ConditionStatus } from '../api/status.js';

export type Outcome =
  | { state: 'Ready'; message: string }
  /** Work in progress or a transient failure: Reconciling, never Stalled. */
  | { state: 'Progressing'; reason: string; message: string }
  /** Needs a person: bad input, a missing Secret key, refused credentials. */
  | { state: 'Stalled'; reason: string; message: string }
  | { state: 'Paused' };

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

function put(
  conditions: Condition[],
  input: ConditionInput,
  generation: number,
  now: string,
): void {
  const index = conditions.findIndex((condition) => condition.type === input.type);
  const previous = index === -1 ? undefined : conditions[index];
  const next: Condition = {
    ...input,
    observedGeneration: generation,
    lastTransitionTime: previous?.status === input.status ? previous.lastTransitionTime : now,
  };
  if (index === -1) conditions.push(next);
  else conditions[index] = next;
}

function remove(conditions: Condition[], type: string): void {
  const index = conditions.findIndex((condition) => condition.type === type);
  if (index !== -1) conditions.splice(index, 1);
}

/** Ready=False, the one abnormal condition True with the same reason, the other one gone. */
function notReady(
  conditions: Condition[],
  active: 'Reconciling' | 'Stalled',
  cleared: 'Reconciling' | 'Stalled',
  outcome: { reason: string; message: string },
  generation: number,
  now: string,
): void {
  const { reason, message } = outcome;
  put(conditions, { type: 'Ready', status: 'False', reason, message }, generation, now);
  put(conditions, { type: active, status: 'True', reason, message }, generation, now);
  remove(conditions, cleared);
}

export function nextConditions(
  previous: readonly Condition[] | undefined,
  generation: number,
  outcome: Outcome,
  domain: readonly ConditionInput[],
  now: string,
): Condition[] {
  const conditions = (previous ?? []).map((condition) => ({ ...condition }));
  switch (outcome.state) {
    case 'Ready':
      put(
        conditions,
        { type: 'Ready', status: 'True', reason: 'Succeeded', message: outcome.message },
        generation,
        now,
      );
      remove(conditions, 'Reconciling');
      remove(conditions, 'Stalled');
      break;
    case 'Progressing':
      notReady(conditions, 'Reconciling', 'Stalled', outcome, generation, now);
      break;
    case 'Stalled':
      notReady(conditions, 'Stalled', 'Reconciling', outcome, generation, now);
      break;
    case 'Paused': {
      const message = 'reconciliation is paused by the lasuite.selfhost.dev/reconcile annotation';
      put(
        conditions,
        { type: 'Reconciling', status: 'False', reason: 'Paused', message },
        generation,
        now,
      );
      remove(conditions, 'Stalled');
      break;
    }
  }
  for (const input of domain) put(conditions, input, generation, now);
  const order = ['Ready', 'Reconciling', 'Stalled'];
  const rank = (type: string) => (order.includes(type) ? order.indexOf(type) : order.length);
  return conditions.sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
}

export function conditionStatus(
  conditions: readonly Condition[] | undefined,
  type: string,
): ConditionStatus | undefined {
  return conditions?.find((condition) => condition.type === type)?.status;
}

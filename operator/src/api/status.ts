// The status contract shared by every kind (Argo CD and Flux both read it):
// observedGeneration, and conditions Ready / Reconciling / Stalled plus domain conditions,
// each with a CamelCase reason. A transient error is never Stalled.
import { z } from 'zod';
import { mapList } from './schema-parts.js';

export const CONDITION_STATUS = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUS)[number];

/** The three conditions every kind carries. */
export const COMMON_CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;

/** Reasons any kind may use on its common conditions. */
export const COMMON_REASONS = {
  Succeeded: 'Everything for the current generation is applied and verified.',
  Progressing: 'The operator is working on the current generation.',
  Paused: 'Reconciliation is paused by the lasuite.selfhost.dev/reconcile annotation.',
  InvalidSpec: 'The spec is valid for the schema but cannot work as written; the message says why.',
  ReferenceNotFound: 'A referenced object does not exist yet; the operator retries.',
  ReferenceInvalid: 'A referenced object exists but cannot be used as referenced (wrong type).',
  SecretKeyMissing: 'A referenced Secret lacks a required key.',
  TransientError:
    'An external call failed in a way that may resolve by itself; retried with backoff.',
  Deleting: 'The object is being deleted and its finalizer is cleaning up.',
  CleanupFailed:
    'Removing what the resource created outside the cluster failed; the deletion waits and retries with backoff.',
} as const;

export const conditionSchema = z
  .strictObject({
    type: z
      .string()
      .max(316)
      .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
      )
      .describe('Condition type in CamelCase, e.g. Ready.'),
    status: z.enum(CONDITION_STATUS).describe('True, False or Unknown.'),
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the condition was set for.'),
    lastTransitionTime: z
      .string()
      .meta({ format: 'date-time' })
      .describe('When the condition last changed status.'),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe('Machine-readable CamelCase reason for the last transition.'),
    message: z.string().max(32768).describe('Human-readable details, including how to fix it.'),
  })
  .describe('A metav1.Condition.');

export type Condition = z.output<typeof conditionSchema>;

const conditionsList = mapList(conditionSchema, 'type', 32)
  .optional()
  .describe('Current state: Ready, Reconciling, Stalled and domain conditions.');

const observedGeneration = z
  .number()
  .int()
  .min(0)
  .optional()
  .describe('The .metadata.generation the operator last processed, successful or not.');

/** A kind's status: the contract fields first, then the kind's own. */
export function kindStatus<Shape extends z.ZodRawShape>(fields: Shape, description: string) {
  return z
    .strictObject({ observedGeneration, conditions: conditionsList, ...fields })
    .describe(description);
}

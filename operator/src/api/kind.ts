// What the generators need to know about a kind, next to its schemas.
import { z } from 'zod';
import { COMMON_CONDITION_TYPES, COMMON_REASONS } from './status.js';

export const API_GROUP = 'lasuite.selfhost.dev';
export const API_VERSION = 'v1alpha1';
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDefinition<
  Spec extends z.ZodType = z.ZodType,
  Status extends z.ZodType = z.ZodType,
> {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: Spec;
  status: Status;
  /** Longest metadata.name, so that every child object name stays within Kubernetes limits. */
  maxNameLength: number;
  /** JSONPath of the URL printer column. */
  urlJsonPath: string;
  extraColumns: PrinterColumn[];
  /** Domain conditions on top of Ready / Reconciling / Stalled, with what each means. */
  conditions: Record<string, string>;
  /** Domain reasons on top of the common ones, with what each means. */
  reasons: Record<string, string>;
  /** The full resource, as `lasuitectl validate` checks it. */
  resource: z.ZodType;
}

/** The admission rule that bounds metadata.name, which the CRD carries at its root. */
export function nameLengthRule(kind: string, maxNameLength: number) {
  return {
    rule: `self.metadata.name.size() <= ${maxNameLength}`,
    message: `${kind} names are limited to ${maxNameLength} characters so that the objects derived from them fit Kubernetes name limits`,
  };
}

const metadataSchema = (kind: string, maxNameLength: number) =>
  z
    .looseObject({
      name: z
        .string()
        .min(1)
        .max(maxNameLength, nameLengthRule(kind, maxNameLength).message)
        .regex(
          /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
          'must be a DNS-1123 label: lowercase letters, digits and "-"',
        )
        .describe(`Name of the ${kind}; child objects are named after it.`),
      namespace: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .max(63)
        .optional()
        .describe('Namespace; every reference is resolved in this namespace.'),
      labels: z.record(z.string(), z.string()).optional().describe('Labels.'),
      annotations: z.record(z.string(), z.string()).optional().describe('Annotations.'),
    })
    .describe('Standard object metadata.');

export function defineKind<Spec extends z.ZodType, Status extends z.ZodType>(
  definition: Omit<KindDefinition<Spec, Status>, 'resource'>,
): KindDefinition<Spec, Status> & {
  resource: z.ZodType<{
    apiVersion: typeof GROUP_VERSION;
    kind: string;
    metadata: z.output<ReturnType<typeof metadataSchema>>;
    spec: z.output<Spec>;
    status?: z.output<Status>;
  }>;
} {
  // The API server cannot see a CRD schema for metadata; the CRD generator turns maxNameLength
  // into a root-level CEL rule instead.
  const resource = z.strictObject({
    apiVersion: z.literal(GROUP_VERSION, { error: `apiVersion must be ${GROUP_VERSION}` }),
    kind: z.literal(definition.kind),
    metadata: metadataSchema(definition.kind, definition.maxNameLength),
    spec: definition.spec,
    status: definition.status.optional(),
  });
  return { ...definition, resource } as never;
}

export function allConditionTypes(definition: KindDefinition): string[] {
  return [...COMMON_CONDITION_TYPES, ...Object.keys(definition.conditions)];
}

export function allReasons(definition: KindDefinition): Record<string, string> {
  return { ...COMMON_REASONS, ...definition.reasons };
}

// Turns a zod schema into the structural OpenAPI v3 schema a CRD needs. zod emits JSON Schema;
// Kubernetes accepts a subset of it, so this pass removes or rewrites what the API server refuses.
import { z } from 'zod';
import { API_GROUP, API_VERSION, nameLengthRule, type KindDefinition } from './kind.js';

export interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [key: string]: unknown;
}

// zod marks every integer with the JavaScript safe-integer range; Kubernetes integers are int64
// and the bound only adds noise.
const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

// Keywords a structural schema may not carry (or that mean nothing to the API server).
const DROPPED_KEYWORDS = ['$schema', 'title', 'examples', 'id', '$id'];

function structural(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.includes(key)) continue;
    // Unknown fields are pruned by the API server; `false` is not allowed in a structural schema.
    if (key === 'additionalProperties' && value === false) continue;
    if (
      (key === 'minimum' && value === -SAFE_BOUND) ||
      (key === 'maximum' && value === SAFE_BOUND)
    ) {
      continue;
    }
    out[key] = value;
  }
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, child]) => [name, structural(child)]),
    );
  }
  if (out.items) out.items = structural(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = structural(out.additionalProperties);
  }
  if (out.default !== undefined) out.default = expandDefault(out, out.default);
  if (out['x-kubernetes-int-or-string']) return intOrString(out);
  if (out.anyOf) {
    throw new Error(
      `unions are not structural; model them as optional fields plus a CEL rule (${JSON.stringify(node).slice(0, 120)})`,
    );
  }
  return out;
}

// The API server validates a default as written, without defaulting inside it, so an object
// default of `{}` would fail every CEL rule over its defaulted fields. Write it out in full.
function expandDefault(node: JsonSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !node.properties)
    return value;
  const expanded: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, child] of Object.entries(node.properties)) {
    const current = expanded[name] ?? child.default;
    if (current !== undefined) expanded[name] = expandDefault(child, current);
  }
  return expanded;
}

// The form controller-gen emits for resource.Quantity: the branches carry only their type and
// the string pattern moves up.
function intOrString(node: JsonSchema): JsonSchema {
  const stringBranch = node.anyOf?.find((branch) => branch.type === 'string');
  const { anyOf: _anyOf, ...rest } = node;
  return {
    ...rest,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    ...(stringBranch?.pattern ? { pattern: stringBranch.pattern } : {}),
  };
}

export type SchemaSide = 'input' | 'output';

/**
 * The OpenAPI v3 schema of a zod schema. `input` is what users write (defaulted fields are
 * optional and carry their default); `output` is what the API server stores (defaults applied).
 */
export function openApiSchema(schema: z.ZodType, side: SchemaSide = 'input'): JsonSchema {
  const raw = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: side,
    unrepresentable: 'throw',
  }) as JsonSchema;
  return structural(raw);
}

const resourceSchemas = new WeakMap<KindDefinition, JsonSchema>();

/** The openAPIV3Schema of a kind's CRD: the whole object, with the name-length rule at the root. */
export function resourceSchema(definition: KindDefinition): JsonSchema {
  const cached = resourceSchemas.get(definition);
  if (cached) return cached;
  const schema: JsonSchema = {
    type: 'object',
    description: definition.description,
    required: ['spec'],
    properties: {
      apiVersion: {
        type: 'string',
        description: `${API_GROUP}/${API_VERSION}`,
      },
      kind: { type: 'string', description: definition.kind },
      metadata: { type: 'object' },
      spec: openApiSchema(definition.spec),
      status: openApiSchema(definition.status),
    },
    'x-kubernetes-validations': [nameLengthRule(definition.kind, definition.maxNameLength)],
  };
  resourceSchemas.set(definition, schema);
  return schema;
}

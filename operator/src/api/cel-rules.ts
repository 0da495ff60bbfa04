// A validation rule is written once, as CEL, and enforced twice: by the API server (it lands in the
// CRD as x-kubernetes-validations) and by `lasuitectl validate` (evaluated here with @bufbuild/cel),
// so offline validation and admission cannot drift apart.
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import type { z } from 'zod';

export interface CelRule {
  /** CEL expression over `self` (and `oldSelf` for transition rules). */
  rule: string;
  /** Shown to the user when the rule fails: say what is wrong and how to fix it. */
  message: string;
  /** Path of the offending field relative to the node carrying the rule, e.g. `.tls.secretName`. */
  fieldPath?: string;
  reason?:
    'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export const VALIDATIONS_KEY = 'x-kubernetes-validations';

/** Transition rules compare with the stored object; only the API server can enforce them. */
export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export type RuleOutcome = { ok: true } | { ok: false; evaluationError?: string };

const env = celEnv();
const programs = new Map<string, ReturnType<typeof plan>>();

function program(expression: string): ReturnType<typeof plan> {
  let compiled = programs.get(expression);
  if (!compiled) {
    compiled = plan(env, parse(expression));
    programs.set(expression, compiled);
  }
  return compiled;
}

// Kubernetes types every integer field as CEL int; a JS number would be a CEL double and
// `self.replicas + 1` would have no matching overload. Our API has no floating-point fields.
function toCelInput(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCelInput);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCelInput(v)]));
  }
  return value;
}

export function evaluateRule(rule: CelRule, self: unknown): RuleOutcome {
  const result = program(rule.rule)({ self: toCelInput(self) } as never);
  if (isCelError(result)) return { ok: false, evaluationError: result.message };
  return result === true ? { ok: true } : { ok: false };
}

export function fieldPathSegments(fieldPath: string | undefined): string[] {
  if (!fieldPath) return [];
  return fieldPath.split('.').filter((segment) => segment.length > 0);
}

function existingRules(schema: z.ZodType): CelRule[] {
  const rules = schema.meta()?.[VALIDATIONS_KEY];
  return Array.isArray(rules) ? (rules as CelRule[]) : [];
}

/**
 * Attaches CEL rules to a schema: they are published as `x-kubernetes-validations` for the CRD
 * and checked by zod (all but transition rules) for offline validation.
 */
export function withRules<T extends z.ZodType>(schema: T, rules: CelRule[]): T {
  const meta = schema.meta() ?? {};
  const checked = schema.superRefine((value, ctx) => {
    for (const rule of rules) {
      if (isTransitionRule(rule)) continue;
      const outcome = evaluateRule(rule, value);
      if (outcome.ok) continue;
      ctx.addIssue({
        code: 'custom',
        message: rule.message,
        path: fieldPathSegments(rule.fieldPath),
        params: { celRule: rule.rule, evaluationError: outcome.evaluationError },
      });
    }
  });
  return checked.meta({ ...meta, [VALIDATIONS_KEY]: [...existingRules(schema), ...rules] });
}

/** A CEL string literal, for rules generated from data (e.g. reserved names). */
export function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** Rule: exactly one of the given optional fields is set. */
export function exactlyOneOf(fields: string[], message: string): CelRule {
  const count = fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
  return { rule: `${count} == 1`, message };
}

/** Rule: at most one of the given optional fields is set. */
export function atMostOneOf(fields: string[], message: string): CelRule {
  const count = fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
  return { rule: `${count} <= 1`, message };
}

/** Rule: the field cannot change once set (enforced by the API server only). */
export function immutable(message: string): CelRule {
  return { rule: 'self == oldSelf', message };
}

import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { evaluateRule, exactlyOneOf, immutable, VALIDATIONS_KEY, withRules } from './cel-rules.js';

describe('evaluateRule', () => {
  it('treats integers as CEL ints, as Kubernetes does', () => {
    expect(evaluateRule({ rule: 'self.a + 1 == 3', message: '' }, { a: 2 })).toEqual({ ok: true });
  });

  it('reports a false rule and an evaluation error distinctly', () => {
    expect(evaluateRule({ rule: 'self.a == 1', message: '' }, { a: 2 })).toEqual({ ok: false });
    const outcome = evaluateRule({ rule: 'self.missing == 1', message: '' }, {});
    expect(outcome.ok).toBe(false);
    expect(outcome).toHaveProperty('evaluationError');
  });

  it('supports has() on absent and present fields', () => {
    const rule = exactlyOneOf(['a', 'b'], 'one');
    expect(evaluateRule(rule, { a: 1 }).ok).toBe(true);
    expect(evaluateRule(rule, {}).ok).toBe(false);
    expect(evaluateRule(rule, { a: 1, b: 2 }).ok).toBe(false);
  });
});

describe('withRules', () => {
  const schema = withRules(z.object({ a: z.number().optional(), b: z.number().optional() }), [
    { ...exactlyOneOf(['a', 'b'], 'set exactly one of a or b'), fieldPath: '.a' },
    immutable('cannot change'),
  ]);

  it('publishes every rule for the CRD, transition rules included', () => {
    expect(schema.meta()?.[VALIDATIONS_KEY]).toHaveLength(2);
  });

  it('checks non-transition rules offline, at the rule field path', () => {
    const result = schema.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ message: 'set exactly one of a or b', path: ['a'] }),
    ]);
    expect(schema.safeParse({ a: 1 }).success).toBe(true);
  });

  it('keeps rules added earlier when more are added', () => {
    const twice = withRules(schema, [{ rule: 'true', message: 'x' }]);
    expect(twice.meta()?.[VALIDATIONS_KEY]).toHaveLength(3);
  });
});

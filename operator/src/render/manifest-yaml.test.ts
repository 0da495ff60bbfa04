import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toMultiDocumentYaml, toYaml } from './manifest-yaml.js';

describe('manifest YAML', () => {
  it('quotes strings Kubernetes would read as YAML 1.1 booleans', () => {
    const text = toYaml({ args: ['--appendonly', 'no', 'on', 'y', 'off'] });
    expect(text).toContain('- "no"');
    expect(parse(text, { version: '1.1' })).toEqual({
      args: ['--appendonly', 'no', 'on', 'y', 'off'],
    });
  });

  it('writes shared objects out in full, never as anchors', () => {
    const shared = { name: 'x' };
    expect(toYaml({ a: shared, b: shared })).not.toMatch(/[&*]a\d/);
  });

  it('separates documents', () => {
    expect(toMultiDocumentYaml([{ a: 1 }, { b: 2 }])).toBe('a: 1\n---\nb: 2\n');
  });
});

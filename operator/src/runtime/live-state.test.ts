import { describe, expect, it } from 'vitest';
import { containsDesired, sameJson } from './live-state.js';

describe('containsDesired', () => {
  it('accepts fields the server added', () => {
    expect(
      containsDesired(
        { spec: { replicas: 2, strategy: { type: 'RollingUpdate' } } },
        { spec: { replicas: 2 } },
      ),
    ).toBe(true);
  });

  it('sees drift in a field we set', () => {
    expect(containsDesired({ data: { A: 'edited' } }, { data: { A: 'ours' } })).toBe(false);
    expect(
      containsDesired(
        { spec: { ports: [{ port: 80 }] } },
        { spec: { ports: [{ port: 80 }, { port: 81 }] } },
      ),
    ).toBe(false);
  });

  it('treats empty lists and maps as what the server omits', () => {
    expect(containsDesired({ spec: {} }, { spec: { ingress: [], selector: {} } })).toBe(true);
  });

  it('matches int-or-string values written either way', () => {
    expect(containsDesired({ port: '8080' }, { port: 8080 })).toBe(true);
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined', () => {
    expect(sameJson({ a: 1, b: { c: 2, d: undefined } }, { b: { c: 2 }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { containsDesired, onlyStatusChanged, sameJson } from './live-state.js';

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

describe('onlyStatusChanged', () => {
  const object = {
    metadata: { name: 'a', generation: 1, resourceVersion: '1', finalizers: ['x'] },
    spec: { size: 1 },
    status: { phase: 'A' },
  };
  it('is true for a status write coming back through the watch', () => {
    expect(
      onlyStatusChanged(object, {
        ...object,
        metadata: { ...object.metadata, resourceVersion: '2' },
        status: { phase: 'B' },
      }),
    ).toBe(true);
  });
  it('is false for a spec, metadata or deletion change, and for a first sight', () => {
    // The API server bumps the generation with the spec.
    expect(
      onlyStatusChanged(object, {
        ...object,
        metadata: { ...object.metadata, generation: 2 },
        spec: { size: 2 },
      }),
    ).toBe(false);
    // Without a generation, the whole object beyond its status is compared.
    const { generation: _generation, ...plain } = object.metadata;
    expect(
      onlyStatusChanged(
        { ...object, metadata: plain },
        { ...object, metadata: plain, spec: { size: 2 } },
      ),
    ).toBe(false);
    expect(
      onlyStatusChanged(object, { ...object, metadata: { ...object.metadata, finalizers: [] } }),
    ).toBe(false);
    expect(
      onlyStatusChanged(object, {
        ...object,
        metadata: { ...object.metadata, deletionTimestamp: '2026-11-21T00:00:00Z' },
      }),
    ).toBe(false);
    expect(onlyStatusChanged(undefined, object)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { KINDS } from '../api/kinds.js';
import { customResourceDefinition } from './crd.js';

describe.each(KINDS.map((definition) => [definition.kind, definition] as const))(
  'the %s CRD',
  (_kind, definition) => {
    const crd = customResourceDefinition(definition);
    const version = crd.spec.versions[0]!;

    it('is namespaced, served and stored as v1alpha1 with a status subresource', () => {
      expect(crd.metadata.name).toBe(`${definition.plural}.lasuite.selfhost.dev`);
      expect(crd.spec.scope).toBe('Namespaced');
      expect(version).toMatchObject({
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
      });
    });

    it('prints Ready, Reason, URL and Age', () => {
      expect(version.additionalPrinterColumns.slice(0, 4).map((column) => column.name)).toEqual([
        'Ready',
        'Reason',
        'URL',
        'Age',
      ]);
    });

    it('carries the status contract: observedGeneration and conditions keyed by type', () => {
      const status = version.schema.openAPIV3Schema.properties?.status;
      expect(status?.properties?.observedGeneration?.type).toBe('integer');
      expect(status?.properties?.conditions).toMatchObject({
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      });
    });
  },
);

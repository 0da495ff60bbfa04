// Builds a CustomResourceDefinition for each kind, from its zod schemas alone.
import { API_GROUP, API_VERSION, type KindDefinition, type PrinterColumn } from '../api/kind.js';
import { resourceSchema, type JsonSchema } from '../api/openapi-schema.js';

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: JsonSchema };
    }[];
  };
}

const READY = '.status.conditions[?(@.type=="Ready")]';

function printerColumns(definition: KindDefinition): PrinterColumn[] {
  return [
    {
      name: 'Ready',
      type: 'string',
      jsonPath: `${READY}.status`,
      description: 'Ready condition status.',
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: `${READY}.reason`,
      description: 'Ready condition reason.',
    },
    {
      name: 'URL',
      type: 'string',
      jsonPath: definition.urlJsonPath,
      description: 'Where it is reached.',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age.' },
    ...definition.extraColumns,
  ];
}

export function customResourceDefinition(definition: KindDefinition): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${definition.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'lasuite-operator' },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular,
        shortNames: definition.shortNames,
        categories: ['lasuite'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns(definition),
          schema: { openAPIV3Schema: resourceSchema(definition) },
        },
      ],
    },
  };
}

export function crdFileName(definition: KindDefinition): string {
  return `${API_GROUP}_${definition.plural}.yaml`;
}

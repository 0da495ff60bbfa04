import { z } from 'zod';
import { exactlyOneOf, immutable, withRules } from './cel-rules.js';
import { defineKind } from './kind.js';
import {
  hostname,
  httpUrl,
  imageReference,
  resourceRequirements,
  secretKeySelector,
} from './schema-parts.js';
import { kindStatus } from './status.js';

export const DEFAULT_COLLABORA_IMAGE = 'collabora/code:26.04.2.2.1';

export const wopiClientSpec = withRules(
  z
    .strictObject({
      type: withRules(
        z.enum(['collabora', 'onlyoffice']).describe('Collabora Online or OnlyOffice. Immutable.'),
        [immutable('type is immutable: create a new WopiClient instead')],
      ),
      clientName: z
        .string()
        .min(1)
        .max(32)
        .regex(
          /^[a-z][a-z0-9_]*$/,
          'must be lowercase letters, digits and "_", starting with a letter',
        )
        .optional()
        .describe(
          'Name Drive knows the editor by (WOPI_CLIENTS, WOPI_<NAME>_DISCOVERY_URL); spec.type when omitted.',
        ),
      external: z
        .strictObject({
          discoveryUrl: httpUrl(
            'WOPI discovery URL, e.g. https://collabora.example.com/hosting/discovery. Drive fetches it from its worker pods.',
          ),
        })
        .optional()
        .describe('An editor that runs elsewhere.'),
      managed: z
        .strictObject({
          image: imageReference('Collabora Online image; must be pinned.').default(
            DEFAULT_COLLABORA_IMAGE,
          ),
          replicas: z
            .number()
            .int()
            .min(1)
            .max(10)
            .default(1)
            .describe('coolwsd pods; with more than one, requests are routed by WOPISrc.'),
          host: hostname(
            'Public host of Collabora; when omitted it is served on each Drive host under /cool/, /hosting/ and /browser/.',
          ).optional(),
          resources: resourceRequirements('Resources of the coolwsd container.').optional(),
          proofKeySecretRef: secretKeySelector(
            'An RSA private key (PEM) for WOPI proof keys, shared by all replicas. Generated and owned by the operator when omitted.',
            'proof_key',
          ).optional(),
        })
        .optional()
        .describe('Run Collabora Online in this namespace.'),
      options: z
        .strictObject({
          supportsRename: z
            .boolean()
            .optional()
            .describe(
              'Whether the editor renames files through WOPI; false for Collabora by default.',
            ),
        })
        .prefault({})
        .describe('Editor options passed to Drive (WOPI_<NAME>_OPTIONS).'),
    })
    .describe('Desired state of a WOPI editor.'),
  [
    exactlyOneOf(['external', 'managed'], 'set exactly one of external or managed'),
    {
      rule: "!has(self.managed) || self.type == 'collabora'",
      message:
        'managed editors are Collabora Online only; run OnlyOffice yourself and use external',
      fieldPath: '.managed',
    },
  ],
);

export const wopiClientStatus = kindStatus(
  {
    discoveryUrl: z.string().optional().describe('Discovery URL Drive uses.'),
    extensions: z
      .array(z.string().max(32))
      .max(512)
      .optional()
      .describe('Extensions the editor offers an edit action for, from discovery.'),
    proofKey: z
      .strictObject({
        present: z.boolean().describe('Discovery publishes a proof key.'),
        hasOldKey: z.boolean().describe('Discovery publishes oldmodulus and oldexponent too.'),
      })
      .optional()
      .describe('Proof-key check of the discovery document.'),
  },
  'Observed state of the editor.',
);

export const wopiClient = defineKind({
  kind: 'WopiClient',
  plural: 'wopiclients',
  singular: 'wopiclient',
  shortNames: ['wopi'],
  description:
    'A WOPI editor (Collabora Online or OnlyOffice) that Drive opens documents in: managed by the operator or external, with its discovery validated.',
  spec: wopiClientSpec,
  status: wopiClientStatus,
  maxNameLength: 40,
  urlJsonPath: '.status.discoveryUrl',
  extraColumns: [
    {
      name: 'Type',
      type: 'string',
      jsonPath: '.spec.type',
      description: 'collabora or onlyoffice.',
      priority: 1,
    },
  ],
  conditions: {
    DiscoveryValid: 'Discovery was fetched and parsed: edit actions and a complete proof key.',
    EditorAvailable: 'The managed Collabora Deployment is available.',
  },
  reasons: {
    DiscoveryUnreachable: 'The discovery URL did not answer; retried with backoff.',
    DiscoveryMalformed: 'The discovery document is not valid WOPI discovery XML.',
    NoEditActions: 'Discovery lists no edit action.',
    ProofKeyIncomplete:
      "The proof-key lacks modulus/exponent or oldmodulus/oldexponent; Drive's parser fails on it.",
  },
});

export type WopiClientSpec = z.output<typeof wopiClientSpec>;
export type WopiClientStatus = z.output<typeof wopiClientStatus>;

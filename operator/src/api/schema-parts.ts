// Reusable schema pieces: names, references, quantities, images, and list semantics. Every list
// helper carries both the CRD list type (for the API server) and the matching zod check.
import { z } from 'zod';
import { celString, withRules } from './cel-rules.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/;
const ORIGIN = /^https?:\/\/[^\s/?#]+$/;
const ENDPOINT = /^https?:\/\/[^\s/?#]+\/?$/;
// The grammar of resource.Quantity (k8s.io/apimachinery/pkg/api/resource).
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
// repository[:tag][@sha256:digest]; whether it is pinned is a separate rule.
const IMAGE_REFERENCE =
  /^[a-z0-9]+([._/:-][a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export const dnsLabel = (description: string) =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(DNS_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-"')
    .describe(description);

export const dnsSubdomain = (description: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(DNS_SUBDOMAIN, 'must be a DNS-1123 subdomain: lowercase letters, digits, "-" and "."')
    .describe(description);

export const hostname = (description: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(DNS_SUBDOMAIN, 'must be a lowercase DNS name such as drive.example.com')
    .describe(description);

export const httpUrl = (description: string) =>
  z
    .string()
    .max(2048)
    .regex(HTTP_URL, 'must be an absolute http:// or https:// URL')
    .describe(description);

export const origin = (description: string) =>
  z
    .string()
    .max(2048)
    .regex(ORIGIN, 'must be an origin: scheme and host, no path, e.g. https://drive.example.com')
    .describe(description);

/** A service endpoint: scheme, host and optional port, no path. */
export const endpoint = (description: string) =>
  z
    .string()
    .max(2048)
    .regex(
      ENDPOINT,
      'must be scheme, host and optional port, with no path, e.g. https://s3.example.com',
    )
    .describe(description);

export const secretKeyName = (description: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .regex(SECRET_KEY, 'must be a Secret key: letters, digits, "-", "_" and "."')
    .describe(description);

export const localObjectReference = (description: string) =>
  z
    .strictObject({ name: dnsSubdomain('Name of the referenced object, in the same namespace.') })
    .describe(description);

export const secretKeySelector = (description: string, defaultKey?: string) =>
  z
    .strictObject({
      name: dnsSubdomain('Name of the Secret, in the same namespace.'),
      key:
        defaultKey === undefined
          ? secretKeyName('Key within the Secret.')
          : secretKeyName('Key within the Secret.').default(defaultKey),
    })
    .describe(description);

/** A pinned container image: a tag other than `latest`, or a digest. */
export const imageReference = (description: string) =>
  withRules(
    z
      .string()
      .max(512)
      .regex(IMAGE_REFERENCE, 'must be an image reference such as registry/name:tag')
      .describe(description),
    [
      {
        rule: "self.contains('@sha256:') || (self.matches(':[A-Za-z0-9_][A-Za-z0-9_.-]*$') && !self.endsWith(':latest'))",
        message: 'images must be pinned: give an explicit tag other than latest, or a digest',
      },
    ],
  );

/** An integer or a string such as `500m` or `1Gi` (resource.Quantity). */
export const quantity = (description: string) =>
  z
    .union([
      z.number().int().min(0),
      z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 500m, 2 or 1Gi'),
    ])
    .meta({ description, 'x-kubernetes-int-or-string': true });

const resourceList = (description: string) =>
  z
    .strictObject({
      cpu: quantity('CPU, in cores or millicores (500m).').optional(),
      memory: quantity('Memory, in bytes or with a binary suffix (512Mi).').optional(),
      'ephemeral-storage': quantity('Local ephemeral storage.').optional(),
    })
    .describe(description);

export const resourceRequirements = (description: string) =>
  z
    .strictObject({
      requests: resourceList('Minimum resources the scheduler reserves.').optional(),
      limits: resourceList('Maximum resources the container may use.').optional(),
    })
    .describe(description);

// The API server enforces uniqueness itself for map and set lists; zod repeats the check for
// offline validation, from the same declaration.
function uniqueBy<T>(keyOf: (item: T) => unknown, message: (duplicate: unknown) => string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<unknown>();
    items.forEach((item, index) => {
      const key = keyOf(item);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: message(key), path: [index] });
      seen.add(key);
    });
  };
}

/**
 * A list whose items are keyed by one field (x-kubernetes-list-type: map), so server-side apply
 * merges entries by key and duplicate keys are rejected.
 */
export function mapList<T extends z.ZodObject>(item: T, key: string, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine(
      uniqueBy(
        (entry: Record<string, unknown>) => entry[key],
        (duplicate) => `duplicate ${key} ${JSON.stringify(duplicate)}: each ${key} may appear once`,
      ),
    )
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}

/** A list of unique strings (x-kubernetes-list-type: set). */
export function setList<T extends z.ZodString>(item: T, maxItems: number) {
  return z
    .array(item)
    .max(maxItems)
    .superRefine(
      uniqueBy(
        (entry: string) => entry,
        (duplicate) => `duplicate value ${JSON.stringify(duplicate)}: each value may appear once`,
      ),
    )
    .meta({ 'x-kubernetes-list-type': 'set' });
}

/** Rule for a string field: not one of the given values. */
export function notOneOf(values: readonly string[], message: string) {
  return { rule: `!(self in [${values.map(celString).join(', ')}])`, message };
}

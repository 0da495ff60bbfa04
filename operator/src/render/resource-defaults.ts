// Requests and limits each component gets unless the spec says otherwise, field by field.
import type { DriveInstanceSpec } from '../api/drive-instance.js';

type Quantity = string | number;
type ResourceList = Partial<Record<'cpu' | 'memory' | 'ephemeral-storage', Quantity>>;
export interface Resources {
  requests?: ResourceList;
  limits?: ResourceList;
}

export const RESOURCE_DEFAULTS = {
  backend: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  frontend: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
  worker: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  beat: { requests: { cpu: '10m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  job: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
  mediaGateway: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
  // Transfers stream through a few 1 MiB buffers per request; libsmbclient holds one context per
  // worker thread.
  smbMount: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
  redis: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
} as const satisfies Record<string, Resources>;

export function withDefaults(
  given: DriveInstanceSpec['backend']['resources'],
  defaults: Resources,
): Resources {
  return {
    requests: { ...defaults.requests, ...given?.requests },
    limits: { ...defaults.limits, ...given?.limits },
  };
}

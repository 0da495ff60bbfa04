// One service of a Compose project, the role (VM) it belongs to, and the pieces every service
// definition shares: hardening, healthchecks, dependencies and resource limits.
import type { Resources } from '../resource-defaults.js';
import type { Role } from './compose-context.js';

export type ServiceDefinition = Record<string, unknown>;

export interface ComposeService {
  name: string;
  role: Role;
  definition: ServiceDefinition;
}

/** Named volumes the project declares, with the role whose VM keeps them. */
export interface ComposeVolume {
  name: string;
  role: Role;
}

export type DependencyCondition =
  'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  service: string;
  condition: DependencyCondition;
  /** Restart this service when Compose recreates the dependency (nginx resolves names once). */
  restart?: boolean;
}

export function dependsOn(dependencies: readonly Dependency[]): ServiceDefinition {
  if (dependencies.length === 0) return {};
  return {
    depends_on: Object.fromEntries(
      dependencies.map((dependency) => [
        dependency.service,
        {
          condition: dependency.condition,
          ...(dependency.restart ? { restart: true } : {}),
        },
      ]),
    ),
  };
}

/** A read-only root, no capabilities, no privilege escalation: the restricted pod profile. */
export const HARDENED = {
  read_only: true,
  tmpfs: ['/tmp:size=1g'],
  cap_drop: ['ALL'],
  security_opt: ['no-new-privileges:true'],
} as const;

export const LONG_RUNNING = { restart: 'unless-stopped' } as const;
export const ONE_SHOT = { restart: 'no' } as const;

export function healthcheck(
  test: readonly string[],
  timing: { interval?: string; timeout?: string; retries?: number; startPeriod?: string } = {},
): ServiceDefinition {
  return {
    healthcheck: {
      test: [...test],
      interval: timing.interval ?? '10s',
      timeout: timing.timeout ?? '5s',
      retries: timing.retries ?? 6,
      start_period: timing.startPeriod ?? '30s',
    },
  };
}

/** `wget` exists in every Alpine-based image the project runs (busybox). */
export function httpHealthcheck(url: string, headers: Record<string, string> = {}) {
  return [
    'CMD',
    'wget',
    '-q',
    '-O',
    '/dev/null',
    ...Object.entries(headers).flatMap(([name, value]) => ['--header', `${name}: ${value}`]),
    url,
  ];
}

const BINARY_SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
const DECIMAL_SUFFIX: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes memory quantity in bytes, as Compose's mem_limit takes it. */
export function memoryBytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^([0-9.]+)([KMGT]i|[kMGT])?$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity ${quantity}`);
  const [, amount = '0', suffix] = match;
  const factor = suffix === undefined ? 1 : (BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix] ?? 1);
  return Math.round(Number(amount) * factor);
}

/** A Kubernetes CPU quantity in cores, as Compose's cpus takes it. */
export function cpuCores(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** The spec's requests and limits, as far as Compose has them. */
export function resourceLimits(resources: Resources): ServiceDefinition {
  const out: ServiceDefinition = {};
  const limits = resources.limits ?? {};
  if (limits.memory !== undefined) out.mem_limit = memoryBytes(limits.memory);
  if (resources.requests?.memory !== undefined)
    out.mem_reservation = memoryBytes(resources.requests.memory);
  if (limits.cpu !== undefined) out.cpus = cpuCores(limits.cpu);
  return out;
}

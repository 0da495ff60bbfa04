// Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews the
// lease; others take it over once it has not been renewed for a lease duration. Every write
// carries the resourceVersion read, so two candidates cannot both win.
import type { Logger } from 'pino';
import { isConflict, isNotFound, type ApiClient, type KubeObject } from './api-client.js';

interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  onStartedLeading(): Promise<void>;
  onStoppedLeading(): void;
}

// MicroTime, as the Lease API expects it.
const microTime = (date: Date) => date.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private leading = false;
  private timer?: NodeJS.Timeout;
  private lastRenew = 0;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly options: LeaderElectionOptions,
  ) {}

  private get duration(): number {
    return this.options.leaseDurationSeconds ?? 15;
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.tryAcquireOrRenew();
      } catch (error) {
        this.options.log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'lease update failed',
        );
      }
      // Leading and unable to renew for two thirds of the lease: someone else may take over.
      if (this.leading && Date.now() - this.lastRenew > (this.duration * 1000 * 2) / 3) {
        this.leading = false;
        this.options.onStoppedLeading();
      }
      this.timer = setTimeout(() => void tick(), this.options.retryPeriodMs ?? 2000);
    };
    void tick();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const now = new Date();
    let lease: Lease | undefined;
    try {
      lease = await this.api.get<Lease>('coordination.k8s.io/v1', 'Lease', namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!lease) {
      try {
        await this.api.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: this.duration,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: 0,
          },
        });
        await this.becomeLeader();
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      return;
    }
    const holder = lease.spec.holderIdentity;
    const renewed = lease.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const expired =
      !holder ||
      renewed + (lease.spec.leaseDurationSeconds ?? this.duration) * 1000 < now.getTime();
    if (holder !== identity && !expired) return;
    const spec = {
      ...lease.spec,
      holderIdentity: identity,
      leaseDurationSeconds: this.duration,
      renewTime: microTime(now),
      ...(holder === identity
        ? {}
        : {
            acquireTime: microTime(now),
            leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1,
          }),
    };
    try {
      await this.api.replace({ ...lease, spec });
    } catch (error) {
      if (isConflict(error)) return;
      throw error;
    }
    if (holder === identity) this.lastRenew = Date.now();
    else await this.becomeLeader();
  }

  private async becomeLeader(): Promise<void> {
    this.lastRenew = Date.now();
    if (this.leading) return;
    this.leading = true;
    this.options.log.info(
      { lease: `${this.options.namespace}/${this.options.name}` },
      'acquired the lease',
    );
    await this.options.onStartedLeading();
  }

  /** Gives the lease up on shutdown so another replica takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.api.get<Lease>(
        'coordination.k8s.io/v1',
        'Lease',
        this.options.namespace,
        this.options.name,
      );
      if (lease.spec.holderIdentity === this.options.identity) {
        await this.api.replace({
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
        });
      }
    } catch {
      // The lease expires by itself.
    }
  }
}

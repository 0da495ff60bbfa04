// What the service's parts share: built once by main.ts (or a test), handed to every route
// plugin and extension.
import type { Authenticator } from './auth/authenticator.js';
import type { MountsConfig } from './config.js';
import type { ListingCache } from './api/listing-cache.js';
import type { Metrics } from './metrics.js';
import type { MountRegistry } from './mount-registry.js';
import type { RedisHandle } from './redis.js';

export interface ServiceContext {
  config: MountsConfig;
  mounts: MountRegistry;
  redis: RedisHandle;
  metrics: Metrics;
  auth: Authenticator;
  listings: ListingCache;
  /** True once SIGTERM (or close) began: readiness fails, in-flight requests finish. */
  draining(): boolean;
}

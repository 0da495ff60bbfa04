// The shared Redis (Drive's): upload state, locks, sessions. Commands fail at once while it is
// unreachable instead of queueing, so a request answers Unavailable rather than hanging, and
// readiness follows the connection. ioredis reconnects by itself.
import { Redis } from 'ioredis';
import { ApiError } from './api/errors.js';

export interface RedisHandle {
  client: Redis;
  ready(): boolean;
  close(): Promise<void>;
}

export function connectRedis(
  url: string,
  onError: (message: string) => void = () => undefined,
): RedisHandle {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
  });
  let reported = false;
  client.on('error', (error: Error) => {
    // One line per outage, not one per reconnect attempt. ioredis names host and port, never
    // the password.
    if (reported) return;
    reported = true;
    onError(error.message);
  });
  client.on('ready', () => {
    reported = false;
  });
  return {
    client,
    ready: () => client.status === 'ready',
    close: async () => {
      if (client.status === 'end') return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

/** A Redis call whose failure (unreachable, timed out) is answered 503, like an SMB outage. */
export async function viaRedis<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch {
    throw new ApiError('Unavailable', 'the shared store is unavailable');
  }
}

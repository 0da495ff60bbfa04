// Debian's redis-server on loopback, with a password, nothing persisted: the Redis Drive and the
// SMB mounts service share in production (sessions, WOPI locks, share-link revocations).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { binaries } from './binaries.js';
import { freePort, serverDirectory, startServer, tcpOpen } from './processes.js';

export interface Redis {
  /** redis://:<password>@127.0.0.1:<port>/0 */
  url: string;
  port: number;
  password: string;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

export async function startRedis(options: { detached?: boolean } = {}): Promise<Redis> {
  const server = binaries.redisServer();
  const directory = await serverDirectory('redis');
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const config = join(directory, 'redis.conf');
  // A file, not arguments: the password stays out of the process list.
  await writeFile(
    config,
    [
      'bind 127.0.0.1',
      `port ${String(port)}`,
      `requirepass ${password}`,
      'save ""',
      'appendonly no',
      `dir ${directory}`,
      'daemonize no',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const started = await startServer('redis', server, [config], {
    directory,
    logFile: join(directory, 'redis.log'),
    detached: options.detached,
    ready: () => tcpOpen(port),
    timeoutMs: 20_000,
  });
  return {
    url: `redis://:${password}@127.0.0.1:${String(port)}/0`,
    port,
    password,
    directory,
    pids: [started.pid],
    stop: () => started.stop(),
  };
}

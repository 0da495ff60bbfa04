// Our media gateway (services/media-gateway), run as its container runs it: the compiled service
// under node, configured by its environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';
import { MissingPrerequisiteError } from './binaries.js';
import { freePort, httpOk, serverDirectory, startServer } from './processes.js';

export interface MediaGateway {
  url: string;
  /** The ForwardAuth address. */
  authUrl: string;
  port: number;
  pids: number[];
  stop(): Promise<void>;
}

export async function startMediaGateway(options: {
  driveMediaAuthUrl: string;
  publicHost: string;
  /** Enables the HEAD bridge. */
  s3UpstreamUrl?: string;
  maxConnections?: number;
}): Promise<MediaGateway> {
  const main = join(REPO_ROOT, 'services/media-gateway/dist/main.js');
  if (!existsSync(main)) throw new MissingPrerequisiteError(`${main} is not built: run npx tsc -b`);
  const directory = await serverDirectory('media-gateway');
  const port = await freePort();
  const server = await startServer('media-gateway', process.execPath, [main], {
    logFile: join(directory, 'media-gateway.log'),
    directory,
    env: {
      DRIVE_MEDIA_AUTH_URL: options.driveMediaAuthUrl,
      PUBLIC_HOST: options.publicHost,
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      ...(options.s3UpstreamUrl === undefined ? {} : { S3_UPSTREAM_URL: options.s3UpstreamUrl }),
      ...(options.maxConnections === undefined
        ? {}
        : { MAX_CONNECTIONS: String(options.maxConnections) }),
    },
    ready: () => httpOk(`http://127.0.0.1:${String(port)}/readyz`),
  });
  const url = `http://127.0.0.1:${String(port)}`;
  return { url, authUrl: `${url}/auth`, port, pids: [server.pid], stop: () => server.stop() };
}

// SeaweedFS `weed mini` (master, volume, filer, S3 with embedded IAM) on loopback, with a static
// admin identity from the environment and IAM writes enabled.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { binaries } from './binaries.js';
import { freePorts, httpOk, serverDirectory, startServer } from './processes.js';

export interface SeaweedFs {
  endpoint: string;
  region: string;
  adminAccessKey: string;
  adminSecretKey: string;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

export async function startSeaweedFs(options: { detached?: boolean } = {}): Promise<SeaweedFs> {
  const weed = binaries.weed();
  const directory = await serverDirectory('seaweedfs');
  const ports = await freePorts(
    'master.port',
    'master.port.grpc',
    'volume.port',
    'volume.port.grpc',
    'filer.port',
    'filer.port.grpc',
    's3.port',
    's3.port.grpc',
  );
  const adminAccessKey = `SWADMIN${randomBytes(6).toString('hex').toUpperCase()}`;
  const adminSecretKey = randomBytes(20).toString('base64url');
  const endpoint = `http://127.0.0.1:${String(ports['s3.port'])}`;
  const server = await startServer(
    'seaweedfs',
    weed,
    [
      'mini',
      `-dir=${join(directory, 'data')}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      // Telemetry would reach for an internet host.
      '-master.telemetry=false',
      '-webdav=false',
      '-admin.ui=false',
      ...Object.entries(ports).map(([flag, port]) => `-${flag}=${String(port)}`),
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      '-s3.iam.readOnly=false',
    ],
    {
      cwd: directory,
      env: { AWS_ACCESS_KEY_ID: adminAccessKey, AWS_SECRET_ACCESS_KEY: adminSecretKey },
      logFile: join(directory, 'weed.log'),
      detached: options.detached,
      directory,
      ready: () => httpOk(`${endpoint}/readyz`),
      timeoutMs: 90_000,
    },
  );
  return {
    endpoint,
    region: 'us-east-1',
    adminAccessKey,
    adminSecretKey,
    directory,
    pids: [server.pid],
    stop: () => server.stop(),
  };
}

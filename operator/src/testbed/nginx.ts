// Debian's nginx on loopback, in the foreground, with every path inside its own directory. The
// caller provides the contents of the http block for a given port.
import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { binaries } from './binaries.js';
import { freePort, serverDirectory, startServer, tcpOpen } from './processes.js';

export interface Nginx {
  url: string;
  port: number;
  directory: string;
  pids: number[];
  stop(): Promise<void>;
}

export type HttpBlock = (port: number) => string;

/** The whole nginx.conf around an http block; exported so tests can run `nginx -t` on it. */
export function nginxConfig(directory: string, httpBlock: string): string {
  const temp = join(directory, 'temp');
  return `worker_processes 1;
daemon off;
pid ${join(directory, 'nginx.pid')};
error_log ${join(directory, 'error.log')} info;
events { worker_connections 256; }
http {
  access_log ${join(directory, 'access.log')};
  client_body_temp_path ${temp}/client;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
${httpBlock}
}
`;
}

export async function checkNginxConfig(configFile: string): Promise<void> {
  await promisify(execFile)(binaries.nginx(), ['-t', '-c', configFile]);
}

export async function startNginx(
  httpBlock: HttpBlock,
  options: { detached?: boolean } = {},
): Promise<Nginx> {
  const nginx = binaries.nginx();
  const directory = await serverDirectory('nginx');
  const temp = join(directory, 'temp');
  await mkdir(temp, { recursive: true });
  // Workers run as nobody when the master is root.
  await chmod(directory, 0o755);
  await chmod(temp, 0o777);
  const port = await freePort();
  const configFile = join(directory, 'nginx.conf');
  await writeFile(configFile, nginxConfig(directory, httpBlock(port)));
  await checkNginxConfig(configFile);
  const server = await startServer('nginx', nginx, ['-p', directory, '-c', configFile], {
    logFile: join(directory, 'nginx.stdout'),
    detached: options.detached,
    directory,
    ready: () => tcpOpen(port),
  });
  return {
    url: `http://127.0.0.1:${String(port)}`,
    port,
    directory,
    pids: [server.pid],
    stop: () => server.stop(),
  };
}

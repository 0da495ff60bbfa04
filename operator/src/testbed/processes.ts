// Starting, probing and stopping the test-bed servers: each in its own process group, logging to
// a file in its own directory, stopped by PID.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  pid: number;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** A fresh directory for one server run. */
export function serverDirectory(name: string): Promise<string> {
  return mkdtemp(join(process.env.LASUITE_TESTBED_TMP ?? tmpdir(), `lasuite-${name}-`));
}

/** Removes a server's directory after it stopped, unless LASUITE_TESTBED_KEEP is set for debugging. */
export async function removeServerDirectory(directory: string): Promise<void> {
  if (process.env.LASUITE_TESTBED_KEEP) return;
  await rm(directory, { recursive: true, force: true });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Distinct free ports, by name: `const { web, ping } = await freePorts('web', 'ping')`. */
export async function freePorts<const Name extends string>(
  ...names: Name[]
): Promise<Record<Name, number>> {
  const ports = new Set<number>();
  while (ports.size < names.length) ports.add(await freePort());
  const values = [...ports];
  return Object.fromEntries(names.map((name, index) => [name, values[index]])) as Record<
    Name,
    number
  >;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, SIGKILL if it is still there after the grace period. */
export async function stopProcessGroup(pid: number, graceMs = 5000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      try {
        process.kill(pid, name);
      } catch {
        // Already gone.
      }
    }
  };
  if (!isAlive(pid)) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(20);
}

export interface StartOptions {
  cwd?: string;
  env?: Record<string, string>;
  logFile: string;
  /** Leave the process running when this Node process exits (make testbed-up). */
  detached?: boolean;
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions,
): ManagedProcess {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  if (options.detached) child.unref();
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
    child.on('error', () => {
      resolve(null);
    });
  });
  return { pid, logFile: options.logFile, exited, stop: () => stopProcessGroup(pid) };
}

/** Polls `probe` until it resolves true; fails with the server's log tail when it never does. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let exitCode: number | null | undefined;
  void options.process?.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) break;
    try {
      if (await probe()) return;
    } catch {
      // Not ready yet.
    }
    await sleep(100);
  }
  const tail = options.process
    ? (await readFile(options.process.logFile, 'utf8').catch(() => ''))
        .split('\n')
        .slice(-25)
        .join('\n')
    : '';
  const reason = exitCode === undefined ? 'timed out' : `exited with code ${String(exitCode)}`;
  throw new Error(`${what} did not become ready (${reason})${tail ? `; log tail:\n${tail}` : ''}`);
}

/** GET that succeeds on any 2xx; TLS certificates are not checked (loopback test servers only). */
export function httpOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => {
      resolve(false);
    });
  });
}

/**
 * Starts one server process and waits until `ready` says so; a server that never gets ready is
 * stopped. The returned stop() also removes the server's directory.
 */
export async function startServer(
  what: string,
  command: string,
  args: readonly string[],
  options: StartOptions & { directory: string; ready: () => Promise<boolean>; timeoutMs?: number },
): Promise<{ pid: number; stop(): Promise<void> }> {
  const managed = startProcess(command, args, options);
  try {
    await waitUntil(what, options.ready, { process: managed, timeoutMs: options.timeoutMs });
  } catch (error) {
    await managed.stop();
    throw error;
  }
  return {
    pid: managed.pid,
    stop: async () => {
      await managed.stop();
      await removeServerDirectory(options.directory);
    },
  };
}

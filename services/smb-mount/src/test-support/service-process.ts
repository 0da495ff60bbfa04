// The service as its own process (main.ts under tsx, as the container runs dist/main.js), for the
// tests that kill it or send it signals.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  httpOk,
  startProcess,
  waitUntil,
  type ManagedProcess,
} from '../../../../operator/src/testbed/processes.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');
const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface ServiceProcess {
  origin: string;
  process: ManagedProcess;
  log(): Promise<string>;
}

export async function serviceDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'lasuite-smb-mount-'));
  return {
    path,
    remove: async () => {
      if (process.env.LASUITE_TESTBED_KEEP) return;
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Starts main.ts with the environment, on `port` (a free one by default); waits for /readyz. */
export async function startServiceProcess(
  env: Record<string, string>,
  directory: string,
  port?: number,
): Promise<ServiceProcess> {
  const listen = port ?? (await freePort());
  const logFile = join(directory, `smb-mount-${String(Date.now())}.log`);
  const child = startProcess(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: REPOSITORY,
    env: { ...env, PORT: String(listen), BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'info' },
    logFile,
  });
  const origin = `http://127.0.0.1:${String(listen)}`;
  await waitUntil('the mounts service', () => httpOk(`${origin}/readyz`), {
    process: child,
    timeoutMs: 30_000,
  });
  return { origin, process: child, log: () => readFile(logFile, 'utf8') };
}

// `make testbed-up` / `make testbed-down`: the whole test bed for interactive use. `up` starts
// every server detached, records what it started in .testbed/state.json and writes a
// shell-sourceable .testbed/env; `down` stops exactly those processes and removes their
// directories.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainModule } from '../cli/is-main-module.js';
import { REPO_ROOT } from '../repo-root.js';
import { binaries } from './binaries.js';
import { startCephRgw } from './ceph-rgw.js';
import { startControlPlane } from './control-plane.js';
import { startOidcProvider } from './oidc-provider.js';
import { stopProcessGroup } from './processes.js';
import { startSamba } from './samba.js';
import { startSeaweedFs } from './seaweedfs.js';
import { startTraefik } from './traefik.js';

export const TESTBED_DIR = process.env.LASUITE_TESTBED_DIR ?? join(REPO_ROOT, '.testbed');
const STATE_FILE = () => join(TESTBED_DIR, 'state.json');

interface TestbedState {
  pids: number[];
  directories: string[];
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** Starts every server; returns the variables written to .testbed/env. */
export async function testbedUp(): Promise<Record<string, string>> {
  if (existsSync(STATE_FILE())) {
    throw new Error(`the test bed is already up (${STATE_FILE()}): run make testbed-down first`);
  }
  await mkdir(join(TESTBED_DIR, 'bin'), { recursive: true });
  const state: TestbedState = { pids: [], directories: [] };
  const track = <Server extends { directory: string }>(server: Server, pids: number[]): Server => {
    state.pids.push(...pids);
    state.directories.push(server.directory);
    return server;
  };
  const saveState = () => writeFile(STATE_FILE(), `${JSON.stringify(state, null, 2)}\n`);
  try {
    const kube = await startControlPlane({ detached: true });
    track(
      kube,
      kube.processes.map((managed) => managed.pid),
    );
    await saveState();
    const started = async <Server extends { directory: string; pids: number[] }>(
      server: Server,
    ) => {
      track(server, server.pids);
      await saveState();
      return server;
    };
    const rgw = await started(await startCephRgw({ detached: true }));
    const weed = await started(await startSeaweedFs({ detached: true }));
    const traefik = await started(await startTraefik({ detached: true }));
    const smbPassword = randomBytes(12).toString('base64url');
    const samba = await started(
      await startSamba('default', { detached: true, password: smbPassword }),
    );
    const hardened = await started(
      await startSamba('hardened', { detached: true, password: smbPassword }),
    );
    const oidc = await started(await startOidcProvider({ detached: true }));

    await rm(join(TESTBED_DIR, 'bin', 'kubectl'), { force: true });
    await symlink(binaries.kubectl(), join(TESTBED_DIR, 'bin', 'kubectl'));
    const env: Record<string, string> = {
      KUBECONFIG: kube.kubeconfig,
      KUBE_API_SERVER: kube.server,
      RGW_S3_ENDPOINT: rgw.endpoint,
      RGW_ACCESS_KEY: rgw.adminAccessKey,
      RGW_SECRET_KEY: rgw.adminSecretKey,
      RGW_CEPH_CONF: join(rgw.directory, 'ceph.conf'),
      SEAWEEDFS_S3_ENDPOINT: weed.endpoint,
      SEAWEEDFS_ACCESS_KEY: weed.adminAccessKey,
      SEAWEEDFS_SECRET_KEY: weed.adminSecretKey,
      TRAEFIK_BIN: binaries.traefik(),
      TRAEFIK_URL: traefik.url,
      TRAEFIK_DYNAMIC_DIR: traefik.dynamicDirectory,
      NGINX_BIN: binaries.nginx(),
      SMB_HOST: samba.host,
      SMB_PORT: String(samba.port),
      SMB_HARDENED_PORT: String(hardened.port),
      SMB_SHARE: samba.share,
      SMB_USER: samba.user,
      SMB_PASSWORD: smbPassword,
      SMB_SHARE_DIR: samba.shareDirectory,
      SMB_HARDENED_SHARE_DIR: hardened.shareDirectory,
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.operatorClient.id,
      OIDC_CLIENT_SECRET: oidc.operatorClient.secret,
      OIDC_INITIAL_ACCESS_TOKEN: oidc.initialAccessToken,
      CHROMIUM_BIN: binaries.chromium(),
    };
    const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    lines.push(`export PATH=${shellQuote(join(TESTBED_DIR, 'bin'))}:"$PATH"`);
    await writeFile(join(TESTBED_DIR, 'env'), `${lines.join('\n')}\n`, { mode: 0o600 });
    return env;
  } catch (error) {
    await testbedDown();
    throw error;
  }
}

export async function testbedDown(): Promise<number> {
  const raw = await readFile(STATE_FILE(), 'utf8').catch(() => undefined);
  if (raw === undefined) return 0;
  const state = JSON.parse(raw) as TestbedState;
  for (const pid of [...state.pids].reverse()) await stopProcessGroup(pid);
  for (const directory of state.directories) await rm(directory, { recursive: true, force: true });
  await rm(STATE_FILE(), { force: true });
  await rm(join(TESTBED_DIR, 'env'), { force: true });
  return state.pids.length;
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'up') {
    const started = Date.now();
    const env = await testbedUp();
    process.stdout.write(
      `test bed up in ${((Date.now() - started) / 1000).toFixed(1)} s: kube-apiserver ${env.KUBE_API_SERVER ?? ''}, RGW ${env.RGW_S3_ENDPOINT ?? ''}, SeaweedFS ${env.SEAWEEDFS_S3_ENDPOINT ?? ''}, Traefik ${env.TRAEFIK_URL ?? ''}, Samba :${env.SMB_PORT ?? ''} and :${env.SMB_HARDENED_PORT ?? ''} (hardened), OIDC ${env.OIDC_ISSUER ?? ''}\nnext: . .testbed/env && kubectl get --raw /version\n`,
    );
  } else if (command === 'down') {
    const stopped = await testbedDown();
    process.stdout.write(
      stopped > 0
        ? `test bed down: ${String(stopped)} processes stopped\n`
        : 'test bed was not up\n',
    );
  } else {
    process.stderr.write('usage: testbed-cli up|down\n');
    process.exitCode = 2;
  }
}

if (isMainModule(import.meta.url)) await main(process.argv[2]);

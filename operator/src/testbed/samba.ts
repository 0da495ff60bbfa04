// Debian's Samba on loopback, in one of two profiles: Samba's defaults, or hardened (SMB3 only,
// signing mandatory, encryption required), with one share and one user.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { binaries, INSTALL, MissingPrerequisiteError, systemBinary } from './binaries.js';
import { freePort, serverDirectory, startServer, stopProcessGroup, tcpOpen } from './processes.js';

const run = promisify(execFile);

export type SambaProfile = 'default' | 'hardened';

export const SAMBA_USER = 'smbtest';
export const SAMBA_SHARE = 'share';

export interface Samba {
  host: string;
  port: number;
  share: string;
  user: string;
  password: string;
  profile: SambaProfile;
  /** The directory the share serves, to change files behind Samba's back. */
  shareDirectory: string;
  directory: string;
  pids: number[];
  /** Stops smbd and starts it again on the same port, with the same share and user. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const PROFILE_SETTINGS: Record<SambaProfile, string> = {
  default: '',
  hardened: [
    'server min protocol = SMB3_00',
    'server signing = mandatory',
    'server smb encrypt = required',
  ].join('\n   '),
};

async function ensureUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await run('id', [flag, SAMBA_USER])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    if (process.getuid?.() !== 0) {
      throw new MissingPrerequisiteError(
        `the Samba test user ${SAMBA_USER} does not exist: run as root useradd -M -s /usr/sbin/nologin ${SAMBA_USER}`,
      );
    }
    await run('useradd', ['-M', '-s', '/usr/sbin/nologin', SAMBA_USER]);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

export async function startSamba(
  profile: SambaProfile,
  options: { detached?: boolean; password?: string } = {},
): Promise<Samba> {
  const smbd = binaries.smbd();
  const smbpasswd = systemBinary('smbpasswd', INSTALL.samba);
  const { uid, gid } = await ensureUser();
  const directory = await serverDirectory(`samba-${profile}`);
  // smbd serves the share as the test user, who must be able to reach it.
  await chmod(directory, 0o755);
  const shareDirectory = join(directory, 'share');
  const runDirectory = join(directory, 'run');
  for (const sub of ['lock', 'state', 'cache', 'private', 'pid', 'log', 'ncalrpc']) {
    await mkdir(join(runDirectory, sub), { recursive: true });
  }
  await mkdir(shareDirectory);
  await chown(shareDirectory, uid, gid);
  const port = await freePort();
  const conf = join(directory, 'smb.conf');
  await writeFile(
    conf,
    `[global]
   interfaces = lo
   bind interfaces only = yes
   smb ports = ${String(port)}
   disable netbios = yes
   workgroup = WORKGROUP
   server role = standalone server
   lock directory = ${runDirectory}/lock
   state directory = ${runDirectory}/state
   cache directory = ${runDirectory}/cache
   private dir = ${runDirectory}/private
   pid directory = ${runDirectory}/pid
   ncalrpc dir = ${runDirectory}/ncalrpc
   log file = ${runDirectory}/log/log.%m
   log level = 1 auth:2
   passdb backend = tdbsam:${runDirectory}/private/passdb.tdb
   load printers = no
   printing = bsd
   printcap name = /dev/null
   disable spoolss = yes
   ${PROFILE_SETTINGS[profile]}
[${SAMBA_SHARE}]
   path = ${shareDirectory}
   read only = no
`,
  );
  const password = options.password ?? randomBytes(12).toString('base64url');
  await new Promise<void>((resolve, reject) => {
    const child = execFile(smbpasswd, ['-c', conf, '-s', '-a', SAMBA_USER], (error) => {
      if (error) reject(new Error(`smbpasswd failed: ${error.message}`, { cause: error }));
      else resolve();
    });
    child.stdin?.end(`${password}\n${password}\n`);
  });
  const launch = () =>
    startServer(`smbd (${profile})`, smbd, ['-F', '--no-process-group', '-s', conf], {
      logFile: join(directory, 'smbd.stdout'),
      detached: options.detached,
      directory,
      ready: () => tcpOpen(port),
    });
  let server = await launch();
  const pids = [server.pid];
  return {
    host: '127.0.0.1',
    port,
    share: SAMBA_SHARE,
    user: SAMBA_USER,
    password,
    profile,
    shareDirectory,
    directory,
    pids,
    restart: async () => {
      // The process group only: the directory, and so the share and the passdb, stay.
      await stopProcessGroup(server.pid);
      server = await launch();
      pids.splice(0, pids.length, server.pid);
    },
    stop: () => server.stop(),
  };
}

/** Writes a file straight into the shared directory, owned like files Samba makes. */
export async function putOnShare(
  samba: Samba,
  path: string,
  data: string | Uint8Array,
): Promise<string> {
  const { uid, gid } = await stat(samba.shareDirectory);
  const full = join(samba.shareDirectory, path);
  const parent = dirname(full);
  const made = await mkdir(parent, { recursive: true });
  if (made !== undefined) {
    for (let dir = parent; dir.startsWith(made); dir = dirname(dir)) await chown(dir, uid, gid);
  }
  await writeFile(full, data);
  await chown(full, uid, gid);
  return full;
}

/** smbclient on the share, the password in an authentication file, never on the command line. */
export async function smbclient(
  samba: Samba,
  command: string,
  extra: string[] = [],
): Promise<{ stdout: string; ms: number }> {
  const authFile = join(samba.directory, 'client.auth');
  await writeFile(authFile, `username = ${samba.user}\npassword = ${samba.password}\n`, {
    mode: 0o600,
  });
  const started = performance.now();
  const { stdout } = await run(
    systemBinary('smbclient', INSTALL.samba),
    [
      `//${samba.host}/${samba.share}`,
      '-p',
      String(samba.port),
      '-A',
      authFile,
      ...extra,
      '-c',
      command,
    ],
    { timeout: 120_000, maxBuffer: 64 << 20 },
  );
  return { stdout, ms: performance.now() - started };
}

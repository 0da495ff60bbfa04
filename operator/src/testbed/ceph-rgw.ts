// A single-node Ceph cluster for Ceph RGW (Debian's Pacific packages): one monitor, one memstore
// OSD, no manager, and radosgw on loopback, with an admin user that has admin-ops caps.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL, systemBinary } from './binaries.js';
import {
  freePorts,
  httpOk,
  serverDirectory,
  startProcess,
  waitUntil,
  type ManagedProcess,
  removeServerDirectory,
} from './processes.js';

const run = promisify(execFile);

export interface CephRgw {
  endpoint: string;
  region: string;
  /** An RGW user with users=*, buckets=*, usage=*, metadata=* caps (admin-ops API). */
  adminAccessKey: string;
  adminSecretKey: string;
  directory: string;
  pids: number[];
  /** Runs radosgw-admin against this cluster. */
  radosgwAdmin(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

function cephConf(directory: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${String(monPort)}
mon initial members = a
public network = 127.0.0.0/8
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${directory}/$name.keyring
run dir = ${directory}/run
admin socket = ${directory}/run/$name.asok
pid file = ${directory}/run/$name.pid
log file = ${directory}/log/$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
ms bind ipv6 = false
paxos propose interval = 0.1
paxos min wait = 0.01
mon data avail warn = 2
mon data avail crit = 1
[mon.a]
mon data = ${directory}/mon.a
[osd.0]
osd data = ${directory}/osd.0
osd objectstore = memstore
memstore device bytes = 2147483648
osd memory target = 1073741824
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${String(rgwPort)} tcp_nodelay=1
rgw data = ${directory}/rgw
rgw dns name = localhost
`;
}

export async function startCephRgw(options: { detached?: boolean } = {}): Promise<CephRgw> {
  const radosgw = systemBinary('radosgw', INSTALL.ceph);
  const directory = await serverDirectory('ceph');
  const { monPort, rgwPort } = await freePorts('monPort', 'rgwPort');
  const conf = join(directory, 'ceph.conf');
  const env = { ...process.env, CEPH_CONF: conf };
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const managed of [...processes].reverse()) await managed.stop();
    await removeServerDirectory(directory);
  };
  // Without a manager some ceph commands wait forever; every call is bounded.
  const ceph = async (command: string, args: readonly string[], timeout = 30_000) =>
    (await run(systemBinary(command, INSTALL.ceph), [...args], { env, timeout })).stdout;
  const daemon = (command: string, args: readonly string[], name: string) => {
    const managed = startProcess(systemBinary(command, INSTALL.ceph), ['-f', ...args], {
      env: { CEPH_CONF: conf },
      logFile: join(directory, 'log', `${name}.stdout`),
      detached: options.detached,
    });
    processes.push(managed);
    return managed;
  };
  try {
    for (const sub of ['run', 'log', 'mon.a', 'osd.0', 'rgw'])
      await mkdir(join(directory, sub), { recursive: true });
    const fsid = randomUUID();
    await writeFile(conf, cephConf(directory, fsid, monPort, rgwPort));
    const keyring = (name: string) => join(directory, `${name}.keyring`);
    await ceph('ceph-authtool', [
      '--create-keyring',
      keyring('mon'),
      '--gen-key',
      '-n',
      'mon.',
      '--cap',
      'mon',
      'allow *',
    ]);
    await ceph('ceph-authtool', [
      '--create-keyring',
      keyring('client.admin'),
      '--gen-key',
      '-n',
      'client.admin',
      '--cap',
      'mon',
      'allow *',
      '--cap',
      'osd',
      'allow *',
      '--cap',
      'mgr',
      'allow *',
      '--cap',
      'mds',
      'allow *',
    ]);
    await ceph('ceph-authtool', [keyring('mon'), '--import-keyring', keyring('client.admin')]);
    await copyFile(keyring('mon'), keyring('mon.a'));
    await ceph('monmaptool', [
      '--create',
      '--fsid',
      fsid,
      '--addv',
      'a',
      `[v2:127.0.0.1:${String(monPort)}]`,
      join(directory, 'monmap'),
    ]);
    await ceph('ceph-mon', [
      '--mkfs',
      '-i',
      'a',
      '--monmap',
      join(directory, 'monmap'),
      '--keyring',
      keyring('mon'),
    ]);
    const mon = daemon('ceph-mon', ['-i', 'a'], 'mon.a');
    await waitUntil(
      'ceph-mon',
      async () => (await ceph('ceph', ['-s', '--connect-timeout', '5'], 10_000)).includes('mon:'),
      { process: mon },
    );

    const osdUuid = randomUUID();
    const osdId = (await ceph('ceph', ['osd', 'new', osdUuid])).trim();
    await ceph('ceph-osd', [
      '-i',
      osdId,
      '--mkfs',
      '--mkkey',
      '--osd-uuid',
      osdUuid,
      '--no-mon-config',
    ]);
    await ceph('ceph', [
      'auth',
      'add',
      `osd.${osdId}`,
      'osd',
      'allow *',
      'mon',
      'allow profile osd',
      'mgr',
      'allow profile osd',
      '-i',
      keyring(`osd.${osdId}`),
    ]);
    const osd = daemon('ceph-osd', ['-i', osdId], `osd.${osdId}`);
    await waitUntil(
      'ceph-osd',
      async () =>
        (
          JSON.parse(await ceph('ceph', ['osd', 'stat', '-f', 'json'], 10_000)) as {
            num_up_osds: number;
          }
        ).num_up_osds === 1,
      { process: osd },
    );

    await ceph('ceph', [
      'auth',
      'get-or-create',
      'client.rgw.a',
      'mon',
      'allow rw',
      'osd',
      'allow rwx',
      '-o',
      keyring('client.rgw.a'),
    ]);
    const rgw = startProcess(radosgw, ['-f', '-n', 'client.rgw.a'], {
      env: { CEPH_CONF: conf },
      logFile: join(directory, 'log', 'rgw.stdout'),
      detached: options.detached,
    });
    processes.push(rgw);
    const endpoint = `http://127.0.0.1:${String(rgwPort)}`;
    await waitUntil('radosgw', () => httpOk(endpoint), { process: rgw, timeoutMs: 90_000 });

    const adminAccessKey = `RGWADMIN${randomBytes(6).toString('hex').toUpperCase()}`;
    const adminSecretKey = randomBytes(20).toString('base64url');
    const radosgwAdmin = (args: readonly string[]) => ceph('radosgw-admin', args);
    await radosgwAdmin([
      'user',
      'create',
      '--uid=admin',
      '--display-name=Test bed admin',
      `--access-key=${adminAccessKey}`,
      `--secret-key=${adminSecretKey}`,
      '--caps=users=*;buckets=*;usage=*;metadata=*',
    ]);
    return {
      endpoint,
      region: 'us-east-1',
      adminAccessKey,
      adminSecretKey,
      directory,
      pids: processes.map((managed) => managed.pid),
      radosgwAdmin,
      stop,
    };
  } catch (error) {
    const log = await readFile(join(directory, 'log', 'mon.a.log'), 'utf8').catch(() => '');
    await stop();
    if (error instanceof Error && log)
      error.message += `\nceph-mon log tail:\n${log.split('\n').slice(-15).join('\n')}`;
    throw error;
  }
}

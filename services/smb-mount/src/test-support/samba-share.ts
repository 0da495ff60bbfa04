// The test bed's Samba (operator/src/testbed/samba.ts), seen from this service's tests: files put
// on the share behind Samba's back, smbclient and smbstatus for comparison and for what was
// negotiated, and the timings the tests print.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL, systemBinary } from '../../../../operator/src/testbed/binaries.js';
import type { Samba } from '../../../../operator/src/testbed/samba.js';
import type { SmbConnectOptions } from '../smb/backend.js';

export {
  putOnShare,
  smbclient,
  startSamba,
  type Samba,
  type SambaProfile,
} from '../../../../operator/src/testbed/samba.js';
export { useServer } from '../../../../operator/src/testbed/fixtures.js';

const run = promisify(execFile);

export function connectOptions(
  samba: Samba,
  overrides: Partial<SmbConnectOptions> = {},
): SmbConnectOptions {
  return {
    host: samba.host,
    port: samba.port,
    share: samba.share,
    username: samba.user,
    password: samba.password,
    ...overrides,
  };
}

export function shareOwner(samba: Samba): Promise<{ uid: number; gid: number }> {
  return stat(samba.shareDirectory);
}

export interface Session {
  dialect: string;
  encryption: string;
  signing: string;
}

/** What smbstatus reports for each session now open on the server. */
export async function sessions(samba: Samba): Promise<Session[]> {
  const { stdout } = await run(systemBinary('smbstatus', INSTALL.samba), [
    '-s',
    join(samba.directory, 'smb.conf'),
    '-b',
    '--json',
  ]);
  const status = JSON.parse(stdout) as {
    sessions: Record<
      string,
      { session_dialect: string; encryption: { degree: string }; signing: { degree: string } }
    >;
  };
  return Object.values(status.sessions).map((session) => ({
    dialect: session.session_dialect,
    encryption: session.encryption.degree,
    signing: session.signing.degree,
  }));
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

export function mibPerSecond(bytes: number, ms: number): string {
  return (bytes / (1 << 20) / (ms / 1000)).toFixed(0);
}

/** Timings go to the test output: they are what the bench will later hold to its goals. */
export function report(line: string): void {
  process.stdout.write(`[smb-mount] ${line}\n`);
}

import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { INSTALL, systemBinary } from './binaries.js';
import { useServer } from './fixtures.js';
import { smbclient, startSamba, type Samba } from './samba.js';

const run = promisify(execFile);

interface SmbStatus {
  sessions: Record<
    string,
    { session_dialect: string; encryption: { degree: string }; signing: { degree: string } }
  >;
}

/** What smbstatus reports for a session that smbclient holds open. */
async function openSessionSecurity(samba: Samba) {
  const authFile = join(samba.directory, 'client.auth');
  await writeFile(authFile, `username = ${samba.user}\npassword = ${samba.password}\n`, {
    mode: 0o600,
  });
  const client = spawn(
    systemBinary('smbclient', INSTALL.samba),
    [`//${samba.host}/${samba.share}`, '-p', String(samba.port), '-A', authFile],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  // The answer to `ls` means the session is set up and the share connected; before that,
  // smbstatus may show a session whose protection is not negotiated yet.
  let output = '';
  client.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  client.stdin.write('ls\n');
  for (let attempt = 0; attempt < 100 && !output.includes('blocks of size'); attempt += 1)
    await sleep(100);
  try {
    const status = async () =>
      JSON.parse(
        (
          await run(systemBinary('smbstatus', INSTALL.samba), [
            '-s',
            join(samba.directory, 'smb.conf'),
            '-b',
            '--json',
          ])
        ).stdout,
      ) as SmbStatus;
    let current = await status();
    for (
      let attempt = 0;
      attempt < 100 && Object.keys(current.sessions).length === 0;
      attempt += 1
    ) {
      await sleep(100);
      current = await status();
    }
    return Object.values(current.sessions).map((session) => ({
      dialect: session.session_dialect,
      encryption: session.encryption.degree,
      signing: session.signing.degree,
    }));
  } finally {
    client.stdin.end('quit\n');
  }
}

describe.each(['default', 'hardened'] as const)('Samba, %s profile (test bed)', (profile) => {
  const samba = useServer(() => startSamba(profile));

  it('lists the share with smbclient', async () => {
    await writeFile(join(samba().shareDirectory, 'hello.txt'), 'hello');
    const { stdout } = await smbclient(samba(), 'ls');
    expect(stdout).toContain('hello.txt');
  });

  if (profile === 'hardened') {
    it('refuses clients below SMB3', async () => {
      await expect(
        smbclient(samba(), 'ls', ['--option=client max protocol=SMB2_10']),
      ).rejects.toThrow();
    });
  }

  it(`negotiates ${profile === 'hardened' ? 'full encryption and signing' : "Samba's default protection"}`, async () => {
    const sessions = await openSessionSecurity(samba());
    expect(sessions).toEqual([
      profile === 'hardened'
        ? { dialect: 'SMB3_11', encryption: 'full', signing: 'full' }
        : { dialect: 'SMB3_11', encryption: 'none', signing: 'partial' },
    ]);
  });
});

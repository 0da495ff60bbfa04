import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectOptions,
  report,
  sessions,
  startSamba,
  useServer,
  type Samba,
  type Session,
} from '../test-support/samba-share.js';
import { SmbBackend, type SmbConnectOptions } from './backend.js';
import { SmbError } from './errors.js';

async function failure(work: () => Promise<unknown>): Promise<SmbError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof SmbError) return error;
    throw error;
  }
  throw new Error('expected an SmbError');
}

/** The sessions one backend opened, alone on the server: its workers' connections. */
async function sessionsOf(samba: Samba, options: Partial<SmbConnectOptions>): Promise<Session[]> {
  const smb = await SmbBackend.connect(connectOptions(samba, { workers: 2, ...options }));
  try {
    await smb.list('');
    return await sessions(samba);
  } finally {
    await smb.close();
  }
}

const FULL = { dialect: 'SMB3_11', encryption: 'full', signing: 'full' };

describe('what the hardened profile negotiates', () => {
  const samba = useServer(() => startSamba('hardened'));

  it('signs and encrypts every session with the StorageMount defaults', async () => {
    expect(await sessionsOf(samba(), {})).toEqual([FULL, FULL]);
  });

  it('encrypts even a client set to encryption Off: the server requires it', async () => {
    expect(await sessionsOf(samba(), { security: { encryption: 'Off' } })).toEqual([FULL, FULL]);
  });

  it('negotiates SMB3 for a client that would accept SMB2_02', async () => {
    expect(await sessionsOf(samba(), { security: { minProtocol: 'SMB2_02' } })).toEqual([
      FULL,
      FULL,
    ]);
  });

  it('refuses a client that offers SMB 2.1 at most, saying why', async () => {
    const refused = await failure(() =>
      SmbBackend.connect(
        connectOptions(samba(), {
          workers: 1,
          security: { minProtocol: 'SMB2_02' },
          maxProtocol: 'SMB2_10',
        }),
      ),
    );
    expect(refused).toMatchObject({ operation: 'connect', code: 'ENOSYS' });
    report(`hardened refuses an SMB 2.1 client: ${refused.message}`);
    expect(refused.message).toMatch(
      /^cannot mount \/\/127\.0\.0\.1\/share: the server and this client share no acceptable protocol: this client offers SMB2_02 to SMB2_10, signed, encryption Auto \(/,
    );
  });
});

describe('what the default profile negotiates', () => {
  const samba = useServer(() => startSamba('default'));
  let main: SmbBackend;
  beforeAll(async () => {
    main = await SmbBackend.connect(connectOptions(samba(), { workers: 1 }));
  });
  afterAll(async () => {
    await main.close();
  });

  it('encrypts the share and signs the session when encryption is Auto', async () => {
    await main.list('');
    expect(await sessions(samba())).toEqual([
      { dialect: 'SMB3_11', encryption: 'partial', signing: 'full' },
    ]);
  });

  it('gives each connection its own protocol limits, other connections working meanwhile', async () => {
    // libsmbclient reads the limits from process-wide parameters: the addon sets them for each
    // connection as it connects. An SMB 2.1-only pool, then the main one keeps its SMB3_11.
    const old = await SmbBackend.connect(
      connectOptions(samba(), {
        workers: 2,
        security: { minProtocol: 'SMB2_02', encryption: 'Off' },
        maxProtocol: 'SMB2_10',
      }),
    );
    try {
      await Promise.all([old.list(''), main.list(''), old.stat(''), main.stat('')]);
      const all = await sessions(samba());
      expect(all).toHaveLength(3);
      expect(all).toContainEqual({ dialect: 'SMB3_11', encryption: 'partial', signing: 'full' });
      expect(all.filter((session) => session.dialect === 'SMB2_10')).toEqual([
        { dialect: 'SMB2_10', encryption: 'none', signing: 'full' },
        { dialect: 'SMB2_10', encryption: 'none', signing: 'full' },
      ]);
    } finally {
      await old.close();
    }
  });

  it('signs a session without encryption too', async () => {
    expect(
      await sessionsOf(samba(), { security: { encryption: 'Off', signing: 'Auto' } }),
    ).toContainEqual({
      dialect: 'SMB3_11',
      encryption: 'none',
      signing: 'full',
    });
  });
});

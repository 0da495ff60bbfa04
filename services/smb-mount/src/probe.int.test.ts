// The operator's check of a share (probe.ts) against Samba: what each problem is called, and that a
// probe leaves nothing behind on the share.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { probeShare } from './probe.js';
import { connectOptions, startSamba, useServer } from './test-support/samba-share.js';

describe('probeShare', () => {
  const hardened = useServer(() => startSamba('hardened'));

  it('reads and writes the mount root, leaving no probe file behind', async () => {
    const result = await probeShare({ ...connectOptions(hardened()), checkWrite: true });
    expect(result).toEqual({ reachable: true, writable: true, entries: 0 });
    expect(await readdir(hardened().shareDirectory)).toEqual([]);
  });

  it('calls a dialect the server refuses ProtocolRefused, a problem retries do not fix', async () => {
    const result = await probeShare({
      ...connectOptions(hardened(), {
        security: { minProtocol: 'SMB2_02' },
        maxProtocol: 'SMB2_10',
      }),
      checkWrite: false,
    });
    expect(result).toMatchObject({ reachable: false, problem: 'ProtocolRefused', permanent: true });
  });

  it('calls a wrong password AccessDenied, without the password in the message', async () => {
    const result = await probeShare({
      ...connectOptions(hardened(), { password: 'definitely-wrong' }),
      checkWrite: false,
    });
    expect(result).toMatchObject({ reachable: false, problem: 'AccessDenied', permanent: true });
    expect(JSON.stringify(result)).not.toContain('definitely-wrong');
  });

  // The empty label makes the resolver refuse the name locally: no DNS query leaves the machine.
  it('calls a host name that does not resolve Unreachable, not a refused protocol', async () => {
    const result = await probeShare({
      ...connectOptions(hardened(), { host: 'no-such-host..invalid' }),
      checkWrite: false,
    });
    expect(result).toMatchObject({ reachable: false, problem: 'Unreachable', permanent: false });
    expect(!result.reachable && result.message).toContain(
      'the host name no-such-host..invalid does not resolve',
    );
  });
});

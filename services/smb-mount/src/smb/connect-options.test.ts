import { describe, expect, it } from 'vitest';
import { connectHint, nativeContextOptions } from './connect-options.js';

const account = { host: 'files.example.com', share: 'team', username: 'drive', password: 'pw' };

describe('nativeContextOptions', () => {
  it('takes the StorageMount defaults: signed, encrypted when offered, SMB3 or newer', () => {
    expect(nativeContextOptions(account)).toEqual({
      port: 445,
      workgroup: 'WORKGROUP',
      username: 'drive',
      password: 'pw',
      minProtocol: 'SMB3_00',
      maxProtocol: 'SMB3_11',
      encryption: 'desired',
      timeoutMs: 30_000,
    });
  });

  it('maps every security setting', () => {
    expect(
      nativeContextOptions({
        ...account,
        port: 4450,
        domain: 'CORP',
        security: { encryption: 'Required', minProtocol: 'SMB2_02' },
        maxProtocol: 'SMB2_10',
        operationTimeoutMs: 5000,
      }),
    ).toMatchObject({
      port: 4450,
      workgroup: 'CORP',
      encryption: 'required',
      minProtocol: 'SMB2_02',
      maxProtocol: 'SMB2_10',
      timeoutMs: 5000,
    });
    expect(nativeContextOptions({ ...account, security: { encryption: 'Off' } }).encryption).toBe(
      'off',
    );
    expect(() => nativeContextOptions({ ...account, maxProtocol: 'SMB2_10' })).toThrow(
      'maxProtocol SMB2_10 is older than minProtocol SMB3_00',
    );
  });
});

describe('connectHint', () => {
  it('says what a failed connection most likely means', () => {
    expect(connectHint('EACCES', { ...account, domain: 'CORP' })).toBe(
      'the server refused the account CORP\\drive, or its access to the share',
    );
    expect(
      connectHint('EINVAL', {
        ...account,
        security: { minProtocol: 'SMB2_02' },
        maxProtocol: 'SMB2_10',
      }),
    ).toBe(
      'the server and this client share no acceptable protocol: this client offers SMB2_02 to SMB2_10, signed, encryption Auto',
    );
    expect(connectHint('ECONNREFUSED', { ...account, port: 4450 })).toBe(
      'nothing answers SMB at files.example.com:4450',
    );
    expect(connectHint('ENOENT', { ...account, path: '/Team' })).toBe(
      'the share, or the directory /Team in it, does not exist',
    );
    expect(connectHint('EIO', account)).toBe('the connection failed');
  });
});

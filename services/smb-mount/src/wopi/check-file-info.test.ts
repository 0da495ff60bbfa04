import { describe, expect, it } from 'vitest';
import { version, type SmbStat } from '../smb/backend.js';
import { checkFileInfo, lastModifiedTime } from './check-file-info.js';

const mtimeNs = 1_795_000_000_123_456_700n;
const stat: SmbStat = {
  path: 'docs/report.odt',
  name: 'report.odt',
  type: 'file',
  size: 1234,
  mtimeNs,
  mtime: new Date(Number(mtimeNs / 1_000_000n)),
  version: version({ mtimeNs, size: 1234 }),
};
const context = { mount: 'team', publicUrl: 'https://drive.example.com' };

describe('CheckFileInfo', () => {
  it('describes the file and what this token may do', () => {
    const info = checkFileInfo(
      stat,
      { fileId: 'x', sub: 'u-1', email: 'ada@example.org', right: 'edit', expiresAt: 1 },
      context,
    );
    expect(info).toMatchObject({
      BaseFileName: 'report.odt',
      OwnerId: 'mount:team',
      Size: 1234,
      UserId: 'u-1',
      UserFriendlyName: 'ada@example.org',
      Version: '1795000000123456700-1234',
      LastModifiedTime: '2026-11-18T11:06:40.123Z',
      UserCanWrite: true,
      ReadOnly: false,
      SupportsLocks: true,
      SupportsUpdate: true,
      SupportsRename: false,
      UserCanNotWriteRelative: true,
      PostMessageOrigin: 'https://drive.example.com',
    });
    expect(Object.values(info)).not.toContain(null);
  });

  it('is read-only for a view token, and names the user by sub without an email', () => {
    const info = checkFileInfo(
      stat,
      { fileId: 'x', sub: 'u-2', right: 'view', expiresAt: 1 },
      context,
    );
    expect(info).toMatchObject({ UserCanWrite: false, ReadOnly: true, UserFriendlyName: 'u-2' });
  });

  it('gives LastModifiedTime as ISO 8601 UTC with milliseconds', () => {
    expect(lastModifiedTime(stat)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

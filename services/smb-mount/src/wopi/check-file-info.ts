// CheckFileInfo's answer for an SMB file. What the spec requires (BaseFileName, OwnerId, Size,
// UserId, Version), what Drive sends, and what Collabora reads: LastModifiedTime, which it sends
// back as X-COOL-WOPI-Timestamp on PutFile to detect a file changed behind its back, and
// PostMessageOrigin for the host page. Null values are never sent (the spec: omit them).
import type { SmbStat } from '../smb/backend.js';
import type { TokenClaims } from './access-token.js';

export interface CheckFileInfo {
  BaseFileName: string;
  OwnerId: string;
  Size: number;
  UserId: string;
  UserFriendlyName: string;
  Version: string;
  LastModifiedTime: string;
  UserCanWrite: boolean;
  ReadOnly: boolean;
  UserCanRename: false;
  UserCanNotWriteRelative: true;
  SupportsLocks: true;
  SupportsGetLock: true;
  SupportsUpdate: true;
  SupportsRename: false;
  SupportsDeleteFile: false;
  SupportsContainers: false;
  SupportsUserInfo: false;
  IsAnonymousUser: false;
  PostMessageOrigin: string;
}

/**
 * The time Collabora echoes: ISO 8601 in UTC with milliseconds. Compared as a string, so it must
 * always be built the same way from the same stat.
 */
export function lastModifiedTime(stat: Pick<SmbStat, 'mtime'>): string {
  return stat.mtime.toISOString();
}

export function checkFileInfo(
  stat: SmbStat,
  claims: TokenClaims,
  context: { mount: string; publicUrl: string },
): CheckFileInfo {
  const canWrite = claims.right === 'edit';
  return {
    BaseFileName: stat.name,
    // An SMB file has no Drive owner; the mount stands for whoever shares it.
    OwnerId: `mount:${context.mount}`,
    Size: stat.size,
    UserId: claims.sub,
    UserFriendlyName: claims.email ?? claims.sub,
    Version: stat.version,
    LastModifiedTime: lastModifiedTime(stat),
    UserCanWrite: canWrite,
    ReadOnly: !canWrite,
    UserCanRename: false,
    // No PutRelativeFile (Save As): a new file on the share is the API's business.
    UserCanNotWriteRelative: true,
    SupportsLocks: true,
    SupportsGetLock: true,
    SupportsUpdate: true,
    // Collabora posts no rename message, so Drive turns this off for it; SMB renames go through the API.
    SupportsRename: false,
    SupportsDeleteFile: false,
    SupportsContainers: false,
    SupportsUserInfo: false,
    IsAnonymousUser: false,
    PostMessageOrigin: context.publicUrl,
  };
}

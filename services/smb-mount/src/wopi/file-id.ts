// WOPI file ids: base64url of "<mount>/<mount-relative path>", so that one file keeps one id for as
// long as it keeps its name (a WOPI client keys its sessions and documents by WOPISrc), and the id
// needs no table. A decoded id is only a claim: its path passes the SMB layer's checks on every
// use, exactly like a path from the API.
import { isTempName } from '../smb/temp-names.js';
import { MountPath, MAX_PATH_BYTES } from '../smb/paths.js';
import { WopiRefusal } from './errors.js';

export interface WopiFile {
  mount: string;
  path: MountPath;
}

/** A StorageMount name, as config.ts accepts it. */
const MOUNT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// A Kubernetes name (253) + "/" + the longest path, in base64: anything longer is not ours.
const MAX_ID_LENGTH = Math.ceil(((253 + 1 + MAX_PATH_BYTES) * 4) / 3);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function encodeFileId(mount: string, path: MountPath): string {
  if (!MOUNT_NAME.test(mount)) throw new RangeError('not a mount name');
  if (path.isRoot) throw new RangeError('the mount root is not a file');
  return Buffer.from(`${mount}/${path.toString()}`, 'utf8').toString('base64url');
}

function unknown(why: string): WopiRefusal {
  // 404 is WOPI's "file unknown": a client learns nothing more from a forged id.
  return new WopiRefusal(404, `unknown file id: ${why}`);
}

/** The mount and checked path an id names; a WopiRefusal (404) for anything else. */
export function decodeFileId(id: string): WopiFile {
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !BASE64URL.test(id))
    throw unknown('not base64url');
  const bytes = Buffer.from(id, 'base64url');
  // One file, one id: a second spelling (trailing bits set) would dodge per-id bookkeeping.
  if (bytes.toString('base64url') !== id) throw unknown('not canonical base64url');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw unknown('not UTF-8');
  }
  const slash = text.indexOf('/');
  const mount = slash < 0 ? '' : text.slice(0, slash);
  if (!MOUNT_NAME.test(mount)) throw unknown('no mount name');
  let path: MountPath;
  try {
    path = MountPath.parse(text.slice(slash + 1));
  } catch {
    throw unknown('a path the mount refuses');
  }
  if (path.isRoot) throw unknown('the mount root');
  // The service's own upload and replace files are not documents.
  if (isTempName(path.name)) throw unknown('a temporary file');
  return { mount, path };
}

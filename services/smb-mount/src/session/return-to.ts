// Where a login may send the browser back to: a page of the mounts' own UI, nothing else. The
// value comes from a URL anyone can craft, so it is held to every way a browser or a proxy could
// read it as another host or another path: plain ASCII URL characters only, `/mounts/` then a
// mount name, then a path that the API itself would accept (MountPath: no empty or dot segments,
// backslashes, separators or control characters behind percent-encoding at any depth, Unicode
// lookalikes), and the WHATWG URL parser must read it back unchanged on our origin.
import { MOUNTS_BASE_PATH } from '../config.js';
import { MountPath, PathError } from '../smb/paths.js';

const MAX_LENGTH = 2048;
/** RFC 3986 path, query and fragment characters: no space, quote, backslash or control. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]+$/;
/** A StorageMount name (config.ts), which is also the UI's first path segment. */
const MOUNT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** The login and callback themselves: returning there would restart a login or replay a code. */
const AUTH_SEGMENT = 'auth';

function safeUiPath(path: string): boolean {
  if (!path.startsWith(MOUNTS_BASE_PATH)) return false;
  const rest = path.slice(MOUNTS_BASE_PATH.length);
  if (rest === '') return true;
  // A directory's page ends in a slash; MountPath has no empty last segment.
  const inside = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  let parsed: MountPath;
  try {
    parsed = MountPath.fromUrl(inside);
  } catch (error) {
    if (error instanceof PathError) return false;
    throw error;
  }
  const [mount] = parsed.segments;
  return mount !== undefined && MOUNT_NAME.test(mount) && mount !== AUTH_SEGMENT;
}

/** `raw` when it is a safe same-origin page under /mounts/, otherwise undefined. */
export function safeReturnTo(raw: unknown, publicOrigin: string): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return undefined;
  if (!URL_CHARACTERS.test(raw)) return undefined;
  const [path = ''] = raw.split(/[?#]/, 1);
  if (!safeUiPath(path)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw, publicOrigin);
  } catch {
    return undefined;
  }
  if (parsed.origin !== publicOrigin) return undefined;
  if (`${parsed.pathname}${parsed.search}${parsed.hash}` !== raw) return undefined;
  return raw;
}

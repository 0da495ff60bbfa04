// Names of the service's own files next to the user's: an upload in progress, and the old file a
// replace keeps aside until the new one is in place. Listings hide them.
import { randomBytes } from 'node:crypto';
import { MAX_NAME_BYTES } from './paths.js';

const TEMP_NAME = /^\..*\.~(?:upload|replaced)-[0-9a-f]{16}$/s;
const encoder = new TextEncoder();

export function newTempId(): string {
  return randomBytes(8).toString('hex');
}

/** Cuts whole characters off the end until the name fits in `bytes`. */
function fitted(name: string, bytes: number): string {
  let result = '';
  let used = 0;
  for (const character of name) {
    const size = encoder.encode(character).length;
    if (used + size > bytes) break;
    result += character;
    used += size;
  }
  return result;
}

function tempName(name: string, kind: 'upload' | 'replaced', id: string): string {
  if (!/^[0-9a-f]{16}$/.test(id)) throw new RangeError('a temporary name id is 16 hex digits');
  const suffix = `.~${kind}-${id}`;
  return `.${fitted(name, MAX_NAME_BYTES - 1 - suffix.length)}${suffix}`;
}

/** `.<name>.~upload-<id>`, in the target's directory so that the commit is a rename. */
export function uploadTempName(name: string, id: string): string {
  return tempName(name, 'upload', id);
}

/** `.<name>.~replaced-<id>`: the file a replace moves aside, deleted once the new one is in place. */
export function replacedTempName(name: string, id: string): string {
  return tempName(name, 'replaced', id);
}

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

// The WOPI file operations on an authenticated call: CheckFileInfo, GetFile, PutFile and the lock
// operations. HTTP-free: plugin.ts maps results and WopiRefusals onto responses.
import type { Readable } from 'node:stream';
import { UploadWriteError, type SmbStat } from '../smb/backend.js';
import { checkFileInfo, lastModifiedTime, type CheckFileInfo } from './check-file-info.js';
import { changedOnShare, lockConflict, WopiRefusal } from './errors.js';
import type { Authenticated, WopiHost } from './host.js';
import { putFileAllowed, validLockId, type LockOperation } from './lock-state.js';
import { refusalFromSmb } from './smb-status.js';

async function fileStat(auth: Authenticated): Promise<SmbStat> {
  let stat: SmbStat;
  try {
    stat = await auth.backend.stat(auth.file.path);
  } catch (error) {
    throw refusalFromSmb(error) ?? error;
  }
  if (stat.type !== 'file') throw new WopiRefusal(404, 'not a file');
  return stat;
}

function requireEdit(auth: Authenticated): void {
  // Drive answers 401 here too: the token does not allow this, whoever holds it.
  if (auth.claims.right !== 'edit') throw new WopiRefusal(401, 'the access token is read-only');
}

export async function checkFileInfoOperation(
  host: WopiHost,
  auth: Authenticated,
): Promise<CheckFileInfo> {
  return checkFileInfo(await fileStat(auth), auth.claims, {
    mount: auth.file.mount,
    publicUrl: host.publicUrl,
  });
}

/** GetFile: the bytes as a stream, and the stat they belong to. */
export async function getFileOperation(
  auth: Authenticated,
  maxExpectedSize: string | undefined,
): Promise<{ stream: Readable; stat: SmbStat }> {
  let limit: number | undefined;
  if (maxExpectedSize !== undefined) {
    if (!/^[0-9]{1,16}$/.test(maxExpectedSize))
      throw new WopiRefusal(400, 'X-WOPI-MaxExpectedSize is not a number');
    limit = Number(maxExpectedSize);
  }
  let stream: Awaited<ReturnType<Authenticated['backend']['read']>>;
  try {
    stream = await auth.backend.read(auth.file.path);
  } catch (error) {
    if (error instanceof Error && error.message.includes('a directory has no bytes'))
      throw new WopiRefusal(404, 'not a file');
    throw refusalFromSmb(error) ?? error;
  }
  if (limit !== undefined && stream.stat.size > limit) {
    stream.destroy();
    throw new WopiRefusal(412, 'the file is larger than X-WOPI-MaxExpectedSize');
  }
  return { stream, stat: stream.stat };
}

class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

async function* limited(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new BodyTooLarge();
    yield chunk;
  }
}

export interface PutFileInput {
  lock: string | undefined;
  /** X-COOL-WOPI-Timestamp (or X-LOOL-): the LastModifiedTime the editor loaded. */
  editorTimestamp: string | undefined;
  contentLength: number | undefined;
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * PutFile: the body goes to a temporary file next to the document, which replaces it by rename
 * only once complete; until then readers see the old content, and a failed or refused upload
 * leaves it untouched. The lock rule is checked before the body is read and again just before
 * the rename, since another editor may have locked the file meanwhile.
 */
export async function putFileOperation(
  host: WopiHost,
  auth: Authenticated,
  input: PutFileInput,
): Promise<SmbStat> {
  requireEdit(auth);
  const lock = input.lock === '' ? undefined : input.lock;
  const before = await fileStat(auth);
  const allowed = async () => {
    const verdict = putFileAllowed(await host.locks.current(auth.file), lock, before.size);
    if (!verdict.ok) throw lockConflict(verdict.current, verdict.reason);
  };
  await allowed();
  if (input.editorTimestamp !== undefined && input.editorTimestamp !== lastModifiedTime(before))
    throw changedOnShare();
  if (input.contentLength !== undefined && input.contentLength > host.maxFileBytes)
    throw new WopiRefusal(413, 'the file is larger than the upload limit');
  const { backend, file } = auth;
  let upload: Awaited<ReturnType<typeof backend.createUpload>>;
  try {
    upload = await backend.createUpload(file.path.parent, file.path.name);
  } catch (error) {
    throw refusalFromSmb(error) ?? error;
  }
  try {
    await backend.writeFrom(upload, 0, limited(input.body, host.maxFileBytes));
    await allowed();
    return await backend.commit(upload);
  } catch (error) {
    await backend.abort(upload).catch(() => undefined);
    const cause = error instanceof UploadWriteError ? error.cause : error;
    if (cause instanceof BodyTooLarge)
      throw new WopiRefusal(413, 'the file is larger than the upload limit');
    throw refusalFromSmb(cause) ?? cause;
  }
}

export interface LockInput {
  override: string;
  lock: string | undefined;
  oldLock: string | undefined;
}

export interface LockResult {
  headers: Record<string, string>;
}

const UNSUPPORTED = new Set(['PUT_RELATIVE', 'RENAME_FILE', 'PUT_USER_INFO', 'DELETE', 'COBALT']);

/** The POST operations on a file: LOCK (and UnlockAndRelock), GET_LOCK, REFRESH_LOCK, UNLOCK. */
export async function lockOperation(
  host: WopiHost,
  auth: Authenticated,
  input: LockInput,
): Promise<LockResult> {
  const override = input.override.toUpperCase();
  if (UNSUPPORTED.has(override))
    throw new WopiRefusal(501, `${override} is not supported (see CheckFileInfo)`);
  if (!['LOCK', 'GET_LOCK', 'REFRESH_LOCK', 'UNLOCK'].includes(override))
    throw new WopiRefusal(501, 'unknown X-WOPI-Override');
  requireEdit(auth);
  const stat = await fileStat(auth);
  const version = { 'X-WOPI-ItemVersion': stat.version };
  if (override === 'GET_LOCK')
    return { headers: { 'X-WOPI-Lock': (await host.locks.current(auth.file)) ?? '', ...version } };
  if (!validLockId(input.lock))
    throw new WopiRefusal(400, 'X-WOPI-Lock must be 1 to 1024 printable ASCII characters');
  let operation: LockOperation;
  if (override === 'LOCK' && input.oldLock !== undefined) {
    if (!validLockId(input.oldLock))
      throw new WopiRefusal(400, 'X-WOPI-OldLock must be 1 to 1024 printable ASCII characters');
    operation = { kind: 'relock', lock: input.lock, oldLock: input.oldLock };
  } else {
    const kinds = { LOCK: 'lock', REFRESH_LOCK: 'refresh', UNLOCK: 'unlock' } as const;
    operation = { kind: kinds[override as keyof typeof kinds], lock: input.lock };
  }
  const outcome = await host.locks.apply(auth.file, operation);
  if (!outcome.ok)
    throw lockConflict(
      outcome.current,
      outcome.current === '' ? 'the file is not locked' : 'the file holds another lock',
    );
  return { headers: version };
}

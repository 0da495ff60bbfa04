// The SMB share as the mount sees it: typed operations on checked mount paths, over the worker
// pool. Every path is checked (paths.ts) before any SMB request; every failure is an SmbError.
import { lookup } from 'node:dns/promises';
import { constants } from 'node:fs';
import { connectHint, nativeContextOptions, type SmbConnectOptions } from './connect-options.js';
import { SmbError, toSmbError } from './errors.js';
import type { NativeStat } from './native.js';
import { MountPath, smbUrl, type ShareLocation } from './paths.js';
import { SmbPool } from './pool.js';
import type { HandleRef, OperationName, Operations } from './protocol.js';
import { RangeReadStream } from './read-stream.js';
import { isTempName, newTempId, replacedTempName, uploadTempName } from './temp-names.js';
import { UploadWriteError, writeAll } from './upload-writer.js';

export { UploadWriteError } from './upload-writer.js';

export type { SmbConnectOptions, SmbSecurity } from './connect-options.js';

export interface SmbStat {
  /** Mount-relative, '' for the mount root. */
  path: string;
  name: string;
  type: 'file' | 'directory';
  size: number;
  /** Last write, in nanoseconds since the epoch (SMB keeps 100 ns steps). */
  mtimeNs: bigint;
  mtime: Date;
  /** `${mtimeNs}-${size}`: changes whenever the content does, as far as SMB can tell. */
  version: string;
}

export type PathInput = string | MountPath;

/** An upload in progress: a temporary file next to its target. */
export interface SmbUpload {
  readonly id: string;
  readonly dir: MountPath;
  readonly name: string;
  readonly tempPath: MountPath;
  readonly handle: HandleRef;
}

/**
 * Where the service's temporary files are recorded while they are in use, so that those an
 * abandoned upload or a killed process leaves behind are found and removed later
 * (uploads/temp-file-ledger.ts). Listings hide them: nobody else would ever see them.
 */
export interface TempFileTracker {
  /** A temporary file was made, or taken up again: it stays until `finished`. */
  inUse(path: string): Promise<void>;
  /** Committed or dropped: nothing left behind. */
  finished(path: string): Promise<void>;
}

/** The version string of a stat: last write time at libsmbclient's precision, and size. */
export function version(stat: { mtimeNs: bigint; size: number }): string {
  return `${stat.mtimeNs.toString()}-${String(stat.size)}`;
}

function toPath(input: PathInput): MountPath {
  return input instanceof MountPath ? input : MountPath.parse(input);
}

function describe(path: MountPath, stat: { type: string; size: number; mtimeNs: bigint }): SmbStat {
  const type = stat.type === 'directory' ? 'directory' : 'file';
  return {
    path: path.toString(),
    name: path.name,
    type,
    size: type === 'directory' ? 0 : stat.size,
    mtimeNs: stat.mtimeNs,
    mtime: new Date(Number(stat.mtimeNs / 1_000_000n)),
    version: version(stat),
  };
}

/** The same error with the mount path it concerns. */
function located(error: unknown, operation: string, path: MountPath): SmbError {
  if (!(error instanceof SmbError)) return toSmbError(error, operation, path.toString());
  if (error.path !== undefined) return error;
  return new SmbError(error.kind, error.message, {
    code: error.code,
    operation: error.operation,
    path: path.toString(),
    cause: error,
  });
}

function refuse(kind: SmbError['kind'], operation: string, path: MountPath, why: string): SmbError {
  return new SmbError(kind, `${operation} /${path.toString()}: ${why}`, {
    operation,
    path: path.toString(),
  });
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function eachLimited<Item>(
  items: readonly Item[],
  limit: number,
  work: (item: Item) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as Item;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(runners);
}

export class SmbBackend {
  readonly #pool: SmbPool;
  readonly #location: ShareLocation;
  readonly #readChunkSize: number;
  readonly #writeChunkSize: number;
  readonly #readsInFlight: number;
  readonly #writesInFlight: number;
  readonly #tempFiles: TempFileTracker | undefined;

  private constructor(
    pool: SmbPool,
    location: ShareLocation,
    options: SmbConnectOptions,
    tempFiles: TempFileTracker | undefined,
  ) {
    this.#pool = pool;
    this.#tempFiles = tempFiles;
    this.#location = location;
    this.#readChunkSize = options.readChunkSize ?? 4 << 20;
    this.#writeChunkSize = options.writeChunkSize ?? 1 << 20;
    this.#readsInFlight = options.readsInFlight ?? 8;
    this.#writesInFlight = options.writesInFlight ?? 8;
  }

  /**
   * Starts the worker pool and connects each worker, so that a wrong password, a refused
   * protocol or security setting, or a missing mount root fails here.
   */
  static async connect(
    options: SmbConnectOptions,
    tempFiles?: TempFileTracker,
  ): Promise<SmbBackend> {
    const location: ShareLocation = {
      host: options.host,
      share: options.share,
      root: MountPath.shareRoot(options.path ?? '/'),
    };
    const where = `//${options.host}/${options.share}${location.root.isRoot ? '' : `/${location.root.toString()}`}`;
    // libsmbclient reports a name that does not resolve as EINVAL, which reads as a refused
    // protocol; the system resolver says what really happened.
    try {
      await lookup(options.host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      throw new SmbError(
        'Unavailable',
        `cannot mount ${where}: the host name ${options.host} does not resolve (${code})`,
        {
          code,
          operation: 'connect',
          cause: error,
        },
      );
    }
    let pool: SmbPool;
    try {
      pool = await SmbPool.open({
        context: nativeContextOptions(options),
        rootUrl: smbUrl(location, MountPath.root),
        workers: options.workers,
        operationTimeoutMs: options.operationTimeoutMs,
      });
    } catch (error) {
      const failed = toSmbError(error, 'connect');
      throw new SmbError(
        failed.kind,
        `cannot mount ${where}: ${connectHint(failed.code, options)} (${failed.message})`,
        { code: failed.code, operation: 'connect', cause: failed },
      );
    }
    const backend = new SmbBackend(pool, location, options, tempFiles);
    if ((await backend.stat(MountPath.root)).type !== 'directory') {
      await pool.close();
      throw new SmbError('Conflict', `cannot mount ${where}: it is not a directory`, {
        code: 'ENOTDIR',
        operation: 'connect',
      });
    }
    return backend;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  #url(path: MountPath): string {
    return smbUrl(this.#location, path);
  }

  async #run<Name extends OperationName>(
    op: Name,
    args: Operations[Name]['args'],
    path: MountPath,
    transfer?: ArrayBuffer[],
    signal?: AbortSignal,
  ): Promise<Operations[Name]['result']> {
    try {
      return await this.#pool.run(op, args, transfer, signal);
    } catch (error) {
      throw located(error, op, path);
    }
  }

  async #stat(path: MountPath): Promise<NativeStat | undefined> {
    try {
      return await this.#run('stat', { url: this.#url(path) }, path);
    } catch (error) {
      if (error instanceof SmbError && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  async stat(input: PathInput): Promise<SmbStat> {
    const path = toPath(input);
    return describe(path, await this.#run('stat', { url: this.#url(path) }, path));
  }

  /** A directory's entries, without the service's own temporary files. */
  async list(input: PathInput): Promise<SmbStat[]> {
    const dir = toPath(input);
    const entries = await this.#run('list', { url: this.#url(dir) }, dir);
    const listed: SmbStat[] = [];
    for (const entry of entries) {
      if (entry.type === 'other' || isTempName(entry.name)) continue;
      let path: MountPath;
      try {
        path = dir.child(entry.name);
      } catch {
        // A name this service refuses (made on the share directly) cannot be addressed either.
        continue;
      }
      listed.push(describe(path, entry));
    }
    return listed;
  }

  /** Creates the directory and any missing parent; an existing directory is fine. */
  async mkdirp(input: PathInput): Promise<SmbStat> {
    const path = toPath(input);
    if (!path.isRoot) {
      try {
        await this.#run('mkdir', { url: this.#url(path) }, path);
      } catch (error) {
        if (!(error instanceof SmbError)) throw error;
        if (error.code === 'ENOENT') {
          await this.mkdirp(path.parent);
          await this.#run('mkdir', { url: this.#url(path) }, path).catch((again: unknown) => {
            if (!(again instanceof SmbError && again.code === 'EEXIST')) throw again;
          });
        } else if (error.code !== 'EEXIST') {
          throw error;
        }
      }
    }
    const stat = await this.stat(path);
    if (stat.type !== 'directory') throw refuse('Conflict', 'mkdir', path, 'a file is in the way');
    return stat;
  }

  /**
   * Moves a file or directory. With `replace`, an existing file at the target is replaced; see
   * #replace for how. Without it, an existing target is a Conflict. Returns the target's stat.
   */
  async rename(
    fromInput: PathInput,
    toInput: PathInput,
    options: { replace?: boolean } = {},
  ): Promise<SmbStat> {
    const from = toPath(fromInput);
    const to = toPath(toInput);
    if (from.isRoot || to.isRoot)
      throw refuse('Invalid', 'rename', from, 'the mount root cannot move');
    if (from.contains(to))
      throw refuse('Invalid', 'rename', from, 'a directory cannot move into itself');
    const source = await this.#run('stat', { url: this.#url(from) }, from);
    const target = await this.#stat(to);
    if (target !== undefined) {
      if (options.replace !== true) throw refuse('Conflict', 'rename', to, 'the target exists');
      if (target.type === 'directory' || source.type === 'directory')
        throw refuse('Conflict', 'rename', to, 'only a file replaces a file');
      await this.#replace(from, to);
    } else {
      // libsmbclient's rename would also delete a target created since the stat above; SMB
      // offers no "fail if it exists" rename through it.
      await this.#run('rename', { from: this.#url(from), to: this.#url(to) }, from);
    }
    return this.stat(to);
  }

  /**
   * Puts `from` in place of the file `to`. libsmbclient replaces by deleting the target and then
   * renaming, so a failed rename would lose the old file. Here the old file is renamed aside
   * first and put back if the rename fails; it is deleted only once the new one is in place.
   * Readers may find no file at `to` for the two requests in between.
   */
  async #replace(from: MountPath, to: MountPath): Promise<void> {
    const aside = to.parent.child(replacedTempName(to.name, newTempId()));
    await this.#run('rename', { from: this.#url(to), to: this.#url(aside) }, to);
    try {
      await this.#run('rename', { from: this.#url(from), to: this.#url(to) }, from);
    } catch (error) {
      await this.#run('rename', { from: this.#url(aside), to: this.#url(to) }, to).catch(
        () => undefined,
      );
      throw error;
    }
    // A failure here leaves a hidden .~replaced- file behind, not a wrong result.
    await this.#run('unlink', { url: this.#url(aside) }, aside).catch(() => undefined);
  }

  /** Deletes a file, or a directory: an empty one, or any with `recursive`. */
  async remove(input: PathInput, options: { recursive?: boolean } = {}): Promise<void> {
    const path = toPath(input);
    if (path.isRoot) throw refuse('Invalid', 'remove', path, 'the mount root cannot be deleted');
    const stat = await this.#run('stat', { url: this.#url(path) }, path);
    if (stat.type !== 'directory') {
      await this.#run('unlink', { url: this.#url(path) }, path);
      return;
    }
    try {
      await this.#run('rmdir', { url: this.#url(path) }, path);
    } catch (error) {
      if (!(error instanceof SmbError && error.kind === 'NotEmpty' && options.recursive === true))
        throw error;
      await this.#removeTree(path);
    }
  }

  async #removeTree(dir: MountPath): Promise<void> {
    // Every entry, the service's temporary files included: they would keep the directory.
    const entries = await this.#run('list', { url: this.#url(dir) }, dir);
    const files: MountPath[] = [];
    for (const entry of entries) {
      const path = dir.child(entry.name);
      if (entry.type === 'directory') await this.#removeTree(path);
      else files.push(path);
    }
    await eachLimited(files, this.#pool.size * 2, async (file) => {
      await this.#run('unlink', { url: this.#url(file) }, file);
    });
    await this.#run('rmdir', { url: this.#url(dir) }, dir);
  }

  /**
   * Bytes `start` to `end` (inclusive, like fs.createReadStream and HTTP ranges; default: to the
   * end) of a file, read with several positional reads in flight. The stat taken first is on the
   * stream; a file that gets shorter while it is read fails the stream with a Conflict.
   */
  async read(
    input: PathInput,
    start = 0,
    end?: number,
  ): Promise<RangeReadStream & { stat: SmbStat }> {
    const path = toPath(input);
    if (
      !Number.isSafeInteger(start) ||
      start < 0 ||
      (end !== undefined && (!Number.isSafeInteger(end) || end < 0))
    )
      throw refuse('Invalid', 'read', path, 'start and end must be non-negative integers');
    const stat = await this.stat(path);
    if (stat.type === 'directory')
      throw refuse('Conflict', 'read', path, 'a directory has no bytes');
    const stop = Math.min(end === undefined ? stat.size : end + 1, stat.size);
    const handle = this.#pool.handle(this.#url(path), constants.O_RDONLY);
    const stream = new RangeReadStream({
      start: Math.min(start, stop),
      end: stop,
      chunkSize: this.#readChunkSize,
      inFlight: this.#readsInFlight,
      path: path.toString(),
      readChunk: (offset, length, signal) =>
        this.#run('pread', { handle, offset, length }, path, [], signal),
      release: () => this.#pool.release(handle),
    });
    return Object.assign(stream, { stat });
  }

  /** Creates `.<name>.~upload-<id>` in `dir`, empty, for writeAt and then commit or abort. */
  async createUpload(dirInput: PathInput, name: string): Promise<SmbUpload> {
    const dir = toPath(dirInput);
    dir.child(name);
    const id = newTempId();
    const tempPath = dir.child(uploadTempName(name, id));
    const url = this.#url(tempPath);
    await this.#run(
      'create',
      { url, flags: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL },
      tempPath,
    );
    const upload = { id, dir, name, tempPath, handle: this.#pool.handle(url, constants.O_WRONLY) };
    try {
      await this.#tempFiles?.inUse(tempPath.toString());
    } catch (error) {
      // Untracked, it could be left behind for good: it goes now.
      await this.abort(upload).catch(() => undefined);
      throw error;
    }
    return upload;
  }

  /**
   * An upload started earlier, by this process or one before it: its temporary file is cut back
   * to `confirmedSize`, the bytes the caller knows were written. Parallel writes that were in
   * flight when a process died may have left later bytes with holes before them.
   */
  async resumeUpload(
    dirInput: PathInput,
    name: string,
    id: string,
    confirmedSize: number,
  ): Promise<SmbUpload> {
    const dir = toPath(dirInput);
    const tempPath = dir.child(uploadTempName(name, id));
    const stat = await this.stat(tempPath);
    if (stat.size < confirmedSize)
      throw refuse(
        'Conflict',
        'resume',
        tempPath,
        `only ${String(stat.size)} of ${String(confirmedSize)} bytes are there`,
      );
    const upload: SmbUpload = {
      id,
      dir,
      name,
      tempPath,
      handle: this.#pool.handle(this.#url(tempPath), constants.O_WRONLY),
    };
    if (stat.size > confirmedSize) {
      await this.#run('ftruncate', { handle: upload.handle, size: confirmedSize }, tempPath);
    }
    await this.#tempFiles?.inUse(tempPath.toString());
    return upload;
  }

  /** Writes `data` at `offset` of the upload, as several positional writes in flight. */
  async writeAt(upload: SmbUpload, offset: number, data: Uint8Array): Promise<void> {
    try {
      await this.writeFrom(upload, offset, [data]);
    } catch (error) {
      throw error instanceof UploadWriteError ? error.cause : error;
    }
  }

  /**
   * Writes what `source` yields (a request body, say) from `offset` on, in pieces of writeChunkSize
   * with several in flight; resolves to the bytes written. When a write or the source fails, the
   * bytes received are still written and an UploadWriteError says how many from `offset` are on
   * the share with no hole: what a resumable upload may confirm.
   */
  async writeFrom(
    upload: SmbUpload,
    offset: number,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<number> {
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw refuse('Invalid', 'write', upload.tempPath, 'offset must be a non-negative integer');
    return writeAll(source, offset, {
      chunkSize: this.#writeChunkSize,
      inFlight: this.#writesInFlight,
      writePiece: async (at, piece, signal) => {
        await this.#run(
          'pwrite',
          { handle: upload.handle, offset: at, data: piece },
          upload.tempPath,
          [piece.buffer],
          signal,
        );
      },
    });
  }

  /** Puts the upload in place of `target` (default: its name in its directory) and stats it. */
  async commit(upload: SmbUpload, target?: PathInput): Promise<SmbStat> {
    await this.#pool.release(upload.handle);
    const stat = await this.rename(
      upload.tempPath,
      target === undefined ? upload.dir.child(upload.name) : toPath(target),
      {
        replace: true,
      },
    );
    await this.#finished(upload);
    return stat;
  }

  /** A record that outlives its file costs the sweeper one NotFound: not worth failing for. */
  async #finished(upload: SmbUpload): Promise<void> {
    await this.#tempFiles?.finished(upload.tempPath.toString()).catch(() => undefined);
  }

  /**
   * Closes the upload's descriptors and keeps its temporary file, for resumeUpload later (by this
   * process or another): an open descriptor would block the commit's rename on another replica.
   */
  async detachUpload(upload: SmbUpload): Promise<void> {
    await this.#pool.release(upload.handle);
  }

  /** Drops the upload's temporary file; the target is untouched. */
  async abort(upload: SmbUpload): Promise<void> {
    await this.#pool.release(upload.handle);
    await this.#run('unlink', { url: this.#url(upload.tempPath) }, upload.tempPath).catch(
      (error: unknown) => {
        if (!(error instanceof SmbError && error.kind === 'NotFound')) throw error;
      },
    );
    await this.#finished(upload);
  }

  /**
   * Removes one of the service's own temporary files, by its mount path; refuses any other name,
   * so that a record naming a user's file can never delete it.
   */
  async removeTempFile(input: PathInput): Promise<boolean> {
    const path = toPath(input);
    if (path.isRoot || !isTempName(path.name))
      throw refuse('Invalid', 'remove', path, 'not a temporary file of this service');
    let removed = true;
    try {
      await this.#run('unlink', { url: this.#url(path) }, path);
    } catch (error) {
      if (!(error instanceof SmbError && error.kind === 'NotFound')) throw error;
      removed = false;
    }
    await this.#tempFiles?.finished(path.toString()).catch(() => undefined);
    return removed;
  }
}

// tus's DataStore over one mount's SmbBackend. An upload is a temporary file next to its target
// (`.<name>.~upload-<id>`), written with parallel positional writes; its state is a Redis record
// any replica reads. The upload is committed (rename-replace, then stat) when its last byte is
// written, before that request is acknowledged: a commit that fails for a passing reason puts the
// offset back, so that the client sends its last chunk again and the commit is retried.
import type { Readable } from 'node:stream';
import { DataStore, Upload } from '@tus/utils';
import type { SmbBackend, SmbStat, SmbUpload } from '../smb/backend.js';
import { ApiError, errorAnswer } from '../api/errors.js';
import { SmbError } from '../smb/errors.js';
import { MountPath } from '../smb/paths.js';
import { uploadTempName } from '../smb/temp-names.js';
import { UploadWriteError } from '../smb/upload-writer.js';
import { segments } from './segments.js';
import { TusError } from './tus-errors.js';
import { UPLOAD_TTL_SECONDS, type UploadRecord, type UploadRecords } from './upload-records.js';

/** What the HTTP layer learnt about a creation before tus calls create(). */
export interface PendingCreation {
  owner: string;
  dir: MountPath;
  name: string;
}

export interface SmbDataStoreOptions {
  mount: string;
  backend: () => Promise<SmbBackend>;
  records: UploadRecords;
  /** The creation context of an id tus is about to create; taken once. */
  takePending: (id: string) => PendingCreation | undefined;
  /** Progress is recorded after each segment of this many bytes. */
  segmentBytes: number;
  onBytes?: (bytes: number) => void;
  onCommit?: (record: UploadRecord, stat: SmbStat) => void;
}

function passing(error: unknown): boolean {
  return error instanceof SmbError && (error.kind === 'Unavailable' || error.kind === 'Timeout');
}

const COMMIT_CLAIM_MS = 120_000;

export class SmbDataStore extends DataStore {
  readonly #options: SmbDataStoreOptions;

  constructor(options: SmbDataStoreOptions) {
    super();
    this.#options = options;
    this.extensions = ['creation', 'creation-with-upload', 'termination', 'expiration'];
  }

  async #record(id: string): Promise<UploadRecord> {
    const record = await this.#options.records.get(id);
    if (record?.mount !== this.#options.mount) throw new TusError('FILE_NOT_FOUND');
    return record;
  }

  override async create(upload: Upload): Promise<Upload> {
    const pending = this.#options.takePending(upload.id);
    if (pending === undefined) throw new TusError('UNKNOWN_ERROR');
    const backend = await this.#options.backend();
    const target = await backend.stat(pending.dir.child(pending.name)).catch((error: unknown) => {
      if (error instanceof SmbError && error.kind === 'NotFound') return undefined;
      throw error;
    });
    if (target?.type === 'directory')
      throw new SmbError('Conflict', `upload /${target.path}: a directory has that name`, {
        operation: 'upload',
        path: target.path,
      });
    const temp = await backend.createUpload(pending.dir, pending.name);
    await backend.detachUpload(temp);
    const createdAt = new Date().toISOString();
    await this.#options.records.put({
      id: upload.id,
      mount: this.#options.mount,
      owner: pending.owner,
      dir: pending.dir.toString(),
      name: pending.name,
      tempId: temp.id,
      size: upload.size ?? 0,
      offset: 0,
      metadata: upload.metadata ?? {},
      createdAt,
    });
    upload.creation_date = createdAt;
    upload.storage = { type: 'smb', path: pending.dir.child(pending.name).toString() };
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const record = await this.#record(id);
    return new Upload({
      id,
      size: record.size,
      offset: record.offset,
      metadata: record.metadata,
      creation_date: record.createdAt,
    });
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const records = this.#options.records;
    const record = await this.#record(id);
    if (record.offset !== offset) throw new TusError('INVALID_OFFSET');
    if (record.committed !== undefined) return record.offset;
    const backend = await this.#options.backend();
    const upload = await backend.resumeUpload(
      MountPath.parse(record.dir),
      record.name,
      record.tempId,
      offset,
    );
    let position = offset;
    try {
      for await (const segment of segments(stream, this.#options.segmentBytes)) {
        try {
          const written = await backend.writeFrom(upload, position, segment);
          position += written;
          this.#options.onBytes?.(written);
        } catch (error) {
          if (error instanceof UploadWriteError) {
            position += error.written;
            this.#options.onBytes?.(error.written);
            throw error.cause;
          }
          throw error;
        } finally {
          if (position !== record.offset) {
            record.offset = position;
            await records.put(record);
          }
        }
      }
    } finally {
      await backend.detachUpload(upload);
    }
    if (position === record.size) {
      try {
        await this.commit(record, backend, upload);
      } catch (error) {
        if (passing(error)) {
          // The client will send these bytes again (positional writes repeat harmlessly) and
          // the commit runs again.
          record.offset = offset;
          await records.put(record);
        }
        throw error;
      }
    }
    return position;
  }

  /** Commits a complete upload once, whichever request or replica gets there first. */
  async commit(
    record: UploadRecord,
    backend?: SmbBackend,
    upload?: SmbUpload,
  ): Promise<UploadRecord> {
    const records = this.#options.records;
    if (record.committed !== undefined) return record;
    if (record.failed !== undefined) throw new ApiError('Conflict', record.failed);
    if (!(await records.claimCommit(record.id, COMMIT_CLAIM_MS))) {
      // Another request commits it: wait for its outcome.
      for (let waited = 0; waited < COMMIT_CLAIM_MS; waited += 200) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const current = await records.get(record.id);
        if (current?.committed !== undefined) return current;
        if (current === undefined || current.failed !== undefined) break;
      }
      throw new SmbError('Unavailable', 'the upload is being committed elsewhere', {
        operation: 'commit',
      });
    }
    try {
      const smb = backend ?? (await this.#options.backend());
      const dir = MountPath.parse(record.dir);
      const temp = upload ?? (await smb.resumeUpload(dir, record.name, record.tempId, record.size));
      let stat: SmbStat;
      try {
        stat = await smb.commit(temp);
      } catch (error) {
        if (error instanceof SmbError && !passing(error)) {
          record.failed = errorAnswer(error).body.message;
          await records.put(record);
        }
        throw error;
      }
      record.committed = { version: stat.version, path: stat.path };
      await records.put(record);
      this.#options.onCommit?.(record, stat);
      return record;
    } finally {
      await records.releaseCommit(record.id);
    }
  }

  /** The record of an upload whose bytes are all there, committed (tus calls this last). */
  async finish(id: string): Promise<UploadRecord> {
    return this.commit(await this.#record(id));
  }

  override async remove(id: string): Promise<void> {
    const record = await this.#record(id);
    if (record.committed === undefined) {
      const backend = await this.#options.backend();
      const dir = MountPath.parse(record.dir);
      await backend.removeTempFile(dir.child(uploadTempName(record.name, record.tempId)));
    }
    await this.#options.records.delete(id);
  }

  override getExpiration(): number {
    return UPLOAD_TTL_SECONDS * 1000;
  }

  override deleteExpired(): Promise<number> {
    // Records expire in Redis by themselves; temp-file-ledger.ts sweeps the files they leave.
    return Promise.resolve(0);
  }
}

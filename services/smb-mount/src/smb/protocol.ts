// The messages between the pool (main thread) and its worker threads.
import type { NativeContextOptions, NativeEntry, NativeStat } from './native.js';

/**
 * A file the pool keeps open for a read or an upload. Each worker opens it the first time it
 * serves a request for it, with these flags, since a descriptor belongs to one libsmbclient
 * context; none of the flags may create or truncate.
 */
export interface HandleRef {
  id: number;
  url: string;
  flags: number;
}

export interface Operations {
  stat: { args: { url: string }; result: NativeStat };
  list: { args: { url: string }; result: NativeEntry[] };
  mkdir: { args: { url: string }; result: undefined };
  rmdir: { args: { url: string }; result: undefined };
  unlink: { args: { url: string }; result: undefined };
  rename: { args: { from: string; to: string }; result: undefined };
  /** open + close: makes a file with O_CREAT (and O_EXCL, O_TRUNC as given). */
  create: { args: { url: string; flags: number }; result: undefined };
  pread: { args: { handle: HandleRef; offset: number; length: number }; result: Uint8Array };
  pwrite: { args: { handle: HandleRef; offset: number; data: Uint8Array }; result: number };
  ftruncate: { args: { handle: HandleRef; size: number }; result: undefined };
  /** Closes the worker's descriptor for a handle, if it has one. */
  release: { args: { handleId: number }; result: undefined };
}

export type OperationName = keyof Operations;

export type Request = {
  [Name in OperationName]: { id: number; op: Name } & Operations[Name]['args'];
}[OperationName];

export interface SerializedError {
  code?: string;
  message: string;
}

export type Response =
  | { id: number; ok: true; value: unknown; opened?: number }
  | { id: number; ok: false; error: SerializedError };

export type WorkerStarted = { ready: true } | { ready: false; error: SerializedError };

export interface WorkerInit {
  options: NativeContextOptions;
  /** The mount root: stat'ed to connect, and to check a connection that has been idle. */
  rootUrl: string;
  /** Connect at start, so that a wrong password or a refused protocol fails the pool's start. */
  connect: boolean;
}

/** Repeating these after a reconnect has the effect of running them once. */
export const IDEMPOTENT: ReadonlySet<OperationName> = new Set<OperationName>([
  'stat',
  'list',
  'pread',
  'pwrite',
  'ftruncate',
]);

export function serializeError(error: unknown): SerializedError {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return code === undefined ? { message } : { code, message };
}

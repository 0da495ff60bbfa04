// The libsmbclient addon (native/smbclient.cc, built into build/Release by hack/build-smb-addon.sh)
// and the shape of what it returns.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export type EntryType = 'file' | 'directory' | 'other';

export interface NativeStat {
  type: EntryType;
  size: number;
  /** Nanoseconds since the epoch, in the 100 ns steps of SMB's FILETIME. */
  mtimeNs: bigint;
  mode: number;
}

export interface NativeEntry {
  name: string;
  type: EntryType;
  size: number;
  mtimeNs: bigint;
}

export type SmbDialect = 'SMB2_02' | 'SMB2_10' | 'SMB3_00' | 'SMB3_02' | 'SMB3_11';

/** Sessions are always signed: the addon sets `client signing = required` for the process. */
export interface NativeContextOptions {
  port: number;
  workgroup: string;
  username: string;
  password: string;
  /** Applied to this context's connections only (the addon sets them as each one connects). */
  minProtocol: SmbDialect;
  maxProtocol: SmbDialect;
  encryption: 'required' | 'desired' | 'off';
  /** libsmbclient's own wait for a connection or an answer, in milliseconds. */
  timeoutMs: number;
}

/** One SMBCCTX. Use it from the thread that made it only; every call blocks that thread. */
export interface NativeContext {
  stat(url: string): NativeStat;
  list(url: string): NativeEntry[];
  mkdir(url: string): void;
  rmdir(url: string): void;
  unlink(url: string): void;
  /** Replaces an existing file by deleting it first: two requests, not atomic. */
  rename(from: string, to: string): void;
  utimes(url: string, mtimeUs: number): void;
  /** A descriptor valid in this context only. */
  open(url: string, flags: number): number;
  pread(fd: number, offset: number, length: number): Uint8Array;
  pwrite(fd: number, offset: number, data: Uint8Array): number;
  ftruncate(fd: number, size: number): void;
  close(fd: number): void;
  /** Closes the connection and every descriptor; the context is unusable afterwards. */
  free(): void;
}

export interface NativeAddon {
  Context: new (options: NativeContextOptions) => NativeContext;
  version(): string;
}

export const ADDON_PATH = fileURLToPath(
  new URL('../../build/Release/smbclient.node', import.meta.url),
);

export function loadAddon(): NativeAddon {
  if (!existsSync(ADDON_PATH)) {
    throw new Error(
      `the libsmbclient addon is not built (${ADDON_PATH} is missing): run hack/build-smb-addon.sh`,
    );
  }
  return createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
}

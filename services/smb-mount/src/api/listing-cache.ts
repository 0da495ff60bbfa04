// Directory listings, kept a short while and reused only while the directory's own mtime and
// size are unchanged: every listing stats the directory first, so an entry added, removed or
// renamed on the share (which changes the directory) shows on the next listing. A file rewritten
// in place leaves its directory unchanged; its new size and mtime show once the TTL is over.
import { ExpiringCache } from '../expiring-cache.js';
import type { SmbBackend, SmbStat } from '../smb/backend.js';
import type { MountPath } from '../smb/paths.js';
import { SmbError } from '../smb/errors.js';

export interface Listing {
  dir: SmbStat;
  entries: readonly SmbStat[];
  cached: boolean;
}

interface Cached {
  version: string;
  entries: readonly SmbStat[];
}

export interface ListingCacheOptions {
  ttlMs: number;
  maxDirectories: number;
  /** Larger listings are not kept: they would crowd out everything else. */
  maxEntriesPerDirectory: number;
  onLookup?: (outcome: 'hit' | 'miss') => void;
  now?: () => number;
}

export class ListingCache {
  readonly #options: ListingCacheOptions;
  readonly #entries: ExpiringCache<Cached>;

  constructor(options: ListingCacheOptions) {
    this.#options = options;
    this.#entries = new ExpiringCache({
      maxEntries: options.maxDirectories,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  #key(mount: string, dir: MountPath): string {
    return `${mount}\u0000${dir.toString()}`;
  }

  async list(mount: string, dir: MountPath, backend: SmbBackend): Promise<Listing> {
    // The stat comes first: a change between it and the listing makes the next stat differ.
    const stat = await backend.stat(dir);
    if (stat.type !== 'directory')
      throw new SmbError('Conflict', `list /${dir.toString()}: it is not a directory`, {
        operation: 'list',
        path: dir.toString(),
      });
    const key = this.#key(mount, dir);
    const cached = this.#entries.get(key);
    if (cached?.version === stat.version) {
      this.#options.onLookup?.('hit');
      return { dir: stat, entries: cached.entries, cached: true };
    }
    this.#options.onLookup?.('miss');
    const entries = await backend.list(dir);
    this.#entries.delete(key);
    if (entries.length <= this.#options.maxEntriesPerDirectory)
      this.#entries.set(key, { version: stat.version, entries }, this.#options.ttlMs);
    return { dir: stat, entries, cached: false };
  }

  /** Drops the listing of a directory this service just changed. */
  invalidate(mount: string, dir: MountPath): void {
    this.#entries.delete(this.#key(mount, dir));
  }
}

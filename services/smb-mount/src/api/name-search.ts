// A recursive search by name below a directory, breadth first, bounded in depth, time and
// results: it answers with what it found, and says when a bound cut it short.
import type { SmbStat } from '../smb/backend.js';
import type { MountPath } from '../smb/paths.js';

export interface SearchBounds {
  /** Directory levels below the start to look into; 1 looks at the start's entries only. */
  maxDepth: number;
  timeoutMs: number;
  maxResults: number;
  /** Directories listed at once. */
  concurrency: number;
}

export type SearchCut = 'depth' | 'time' | 'results' | 'errors';

export interface SearchResult {
  matches: SmbStat[];
  complete: boolean;
  /** The bounds that cut the search short, when it is not complete. */
  cutBy: SearchCut[];
  directoriesListed: number;
}

/** Case- and normalisation-insensitive. */
export function nameMatcher(query: string): (name: string) => boolean {
  const needle = query.normalize('NFC').toLocaleLowerCase();
  return (name) => name.normalize('NFC').toLocaleLowerCase().includes(needle);
}

export async function searchByName(
  list: (dir: MountPath) => Promise<SmbStat[]>,
  start: MountPath,
  query: string,
  bounds: SearchBounds,
): Promise<SearchResult> {
  const matches: SmbStat[] = [];
  const cut = new Set<SearchCut>();
  const matchesName = nameMatcher(query);
  const deadline = Date.now() + bounds.timeoutMs;
  let listed = 0;
  let level: MountPath[] = [start];
  let timer: NodeJS.Timeout | undefined;
  // Listings still running when time is up finish in the background; they add nothing then.
  const state = { finished: false };
  const stopped = () => state.finished;
  const timeUp = new Promise<'time'>((resolve) => {
    timer = setTimeout(() => {
      resolve('time');
    }, bounds.timeoutMs);
  });

  try {
    for (let depth = 1; level.length > 0; depth += 1) {
      const next: MountPath[] = [];
      let index = 0;
      const worker = async (): Promise<void> => {
        while (index < level.length && !cut.has('results') && !stopped()) {
          if (Date.now() >= deadline) {
            cut.add('time');
            return;
          }
          const dir = level[index];
          index += 1;
          if (dir === undefined) return;
          let entries: SmbStat[];
          try {
            entries = await list(dir);
          } catch {
            // A directory the account may not read (or that vanished) is skipped, and said so.
            cut.add('errors');
            continue;
          }
          if (stopped()) return;
          listed += 1;
          for (const entry of entries) {
            if (matchesName(entry.name)) {
              if (matches.length >= bounds.maxResults) {
                cut.add('results');
                return;
              }
              matches.push(entry);
            }
            if (entry.type !== 'directory') continue;
            if (depth < bounds.maxDepth) next.push(dir.child(entry.name));
            else cut.add('depth');
          }
        }
      };
      const workers = Array.from({ length: Math.min(bounds.concurrency, level.length) }, worker);
      const outcome = await Promise.race([
        Promise.all(workers).then(() => 'done' as const),
        timeUp,
      ]);
      if (outcome === 'time') {
        cut.add('time');
        break;
      }
      if (cut.has('results') || cut.has('time')) break;
      level = next;
    }
  } finally {
    state.finished = true;
    clearTimeout(timer);
  }
  return {
    matches: [...matches],
    complete: cut.size === 0,
    cutBy: [...cut],
    directoriesListed: listed,
  };
}

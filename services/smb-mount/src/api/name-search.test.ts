import { describe, expect, it } from 'vitest';
import type { SmbStat } from '../smb/backend.js';
import { MountPath } from '../smb/paths.js';
import { nameMatcher, searchByName } from './name-search.js';

// A directory tree in memory: the search's own logic, bounds and ordering; the API tests run it
// against Samba.
const TREE: Record<string, string[]> = {
  '': ['a/', 'Report.txt'],
  a: ['b/', 'report-a.txt'],
  'a/b': ['c/', 'x.txt'],
  'a/b/c': ['deep-REPORT.md'],
};

function entry(dir: MountPath, name: string): SmbStat {
  const directory = name.endsWith('/');
  const clean = directory ? name.slice(0, -1) : name;
  const path = dir.child(clean);
  return {
    path: path.toString(),
    name: clean,
    type: directory ? 'directory' : 'file',
    size: 0,
    mtimeNs: 0n,
    mtime: new Date(0),
    version: '0-0',
  };
}

const list =
  (delayMs = 0) =>
  async (dir: MountPath) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const names = TREE[dir.toString()];
    if (names === undefined) throw new Error('no such directory');
    return names.map((name) => entry(dir, name));
  };

const bounds = { maxDepth: 10, timeoutMs: 1000, maxResults: 100, concurrency: 2 };

describe('search by name', () => {
  it('matches case- and normalisation-insensitively', () => {
    const matches = nameMatcher('RÉSUMÉ');
    expect(matches('mon-re\u0301sume\u0301.pdf')).toBe(true);
    expect(matches('resume.pdf')).toBe(false);
  });

  it('finds every match, breadth first, and says it is complete', async () => {
    const result = await searchByName(list(), MountPath.root, 'report', bounds);
    expect(result.matches.map((match) => match.path)).toEqual([
      'Report.txt',
      'a/report-a.txt',
      'a/b/c/deep-REPORT.md',
    ]);
    expect(result).toMatchObject({ complete: true, cutBy: [], directoriesListed: 4 });
  });

  it('is cut by depth, results and time, and says so', async () => {
    const shallow = await searchByName(list(), MountPath.root, 'report', {
      ...bounds,
      maxDepth: 2,
    });
    expect(shallow.matches).toHaveLength(2);
    expect(shallow).toMatchObject({ complete: false, cutBy: ['depth'] });
    const few = await searchByName(list(), MountPath.root, 'report', { ...bounds, maxResults: 1 });
    expect(few).toMatchObject({ complete: false, cutBy: ['results'] });
    expect(few.matches).toHaveLength(1);
    const started = Date.now();
    const slow = await searchByName(list(200), MountPath.root, 'report', {
      ...bounds,
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(450);
    expect(slow).toMatchObject({ complete: false, cutBy: ['time'] });
    expect(slow.matches.map((match) => match.path)).toEqual(['Report.txt']);
  });

  it('skips a directory it cannot list, and says so', async () => {
    const failing = async (dir: MountPath) => {
      if (dir.toString() === 'a') throw new Error('EACCES');
      return list()(dir);
    };
    const result = await searchByName(failing, MountPath.root, 'report', bounds);
    expect(result.matches.map((match) => match.path)).toEqual(['Report.txt']);
    expect(result).toMatchObject({ complete: false, cutBy: ['errors'] });
  });
});

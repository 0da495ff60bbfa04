// The listing's order, kept in the address (`?sort=size&order=desc`) so that a reload or a
// shared address shows the same order. Folders always come first, as in most file managers.
import type { Entry } from './types.js';

export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  order: SortOrder;
}

export const DEFAULT_SORT: Sort = { key: 'name', order: 'asc' };
const KEYS: readonly SortKey[] = ['name', 'size', 'modified'];

export function readSort(search: string): Sort {
  const query = new URLSearchParams(search);
  const key = KEYS.find((each) => each === query.get('sort')) ?? DEFAULT_SORT.key;
  return { key, order: query.get('order') === 'desc' ? 'desc' : 'asc' };
}

/** The query for a sort ('' for the default one). */
export function sortSearch(sort: Sort): string {
  if (sort.key === DEFAULT_SORT.key && sort.order === DEFAULT_SORT.order) return '';
  return `?${new URLSearchParams({ sort: sort.key, order: sort.order }).toString()}`;
}

/** Clicking a column: that column ascending, or the other way round if it was already. */
export function toggled(current: Sort, key: SortKey): Sort {
  if (current.key !== key) return { key, order: 'asc' };
  return { key, order: current.order === 'asc' ? 'desc' : 'asc' };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortEntries(entries: readonly Entry[], sort: Sort): Entry[] {
  const byName = (a: Entry, b: Entry) =>
    collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1);
  const byKey = (a: Entry, b: Entry): number => {
    switch (sort.key) {
      case 'name':
        return byName(a, b);
      case 'size':
        return a.size - b.size || byName(a, b);
      case 'modified':
        return Date.parse(a.mtime) - Date.parse(b.mtime) || byName(a, b);
    }
  };
  const direction = sort.order === 'asc' ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (a.type !== b.type) return a.type === 'directory' ? -1 : 1;
    return direction * byKey(a, b);
  });
}

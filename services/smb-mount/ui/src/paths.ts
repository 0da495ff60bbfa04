// The page's address and what it names: `/mounts/` (the mounts), `/mounts/<mount>/<path>/` (a
// folder: the trailing slash) or `/mounts/<mount>/<path>` (a file, or a folder that the page
// then addresses with its slash). Paths are the API's: decoded, "/"-separated, no leading
// slash, "" for the mount root.

export const BASE = '/mounts/';
export const LOGIN_PATH = `${BASE}auth/login`;
export const LOGOUT_PATH = `${BASE}auth/logout`;
export const SESSION_PATH = `${BASE}auth/session`;
export const EDITORS_PATH = `${BASE}_ui/editors.json`;
export const API = `${BASE}api/v1`;

export type Route =
  | { kind: 'home' }
  | { kind: 'mount'; mount: string; path: string; directory: boolean }
  | { kind: 'invalid' };

export function parseRoute(pathname: string): Route {
  // The service answers `/mounts` too (without the slash).
  if (pathname === BASE.slice(0, -1)) return { kind: 'home' };
  if (!pathname.startsWith(BASE)) return { kind: 'invalid' };
  const rest = pathname.slice(BASE.length);
  if (rest === '') return { kind: 'home' };
  const directory = rest.endsWith('/');
  const raw = (directory ? rest.slice(0, -1) : rest).split('/');
  let segments: string[];
  try {
    segments = raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return { kind: 'invalid' };
  }
  const [mount, ...path] = segments;
  if (mount === undefined || mount === '' || path.some((segment) => segment === ''))
    return { kind: 'invalid' };
  return { kind: 'mount', mount, path: path.join('/'), directory: directory || path.length === 0 };
}

export function segmentsOf(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

export function parentOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Whether `path` is `scope` or lies below it. */
export function within(scope: string, path: string): boolean {
  return scope === '' || path === scope || path.startsWith(`${scope}/`);
}

/** The page of a folder (with its slash) or a file, with an optional query (`?sort=…`). */
export function pageUrl(mount: string, path: string, directory: boolean, search = ''): string {
  const segments = [mount, ...segmentsOf(path)].map(encodeURIComponent).join('/');
  return `${BASE}${segments}${directory ? '/' : ''}${search}`;
}

export function apiUrl(
  mount: string,
  endpoint: string,
  query: Record<string, string | boolean | undefined> = {},
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return `${API}/m/${encodeURIComponent(mount)}/${endpoint}${text === '' ? '' : `?${text}`}`;
}

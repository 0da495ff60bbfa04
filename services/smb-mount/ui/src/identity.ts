// Who the page acts as. A share link's holder arrives at `…#share=<token>` (the fragment never
// reaches a server or a Referer): the token is kept for this tab and the fragment dropped from
// the address bar, so reloads and the link's sub-folders keep working and a copied address does
// not carry it. Anyone else needs a session; without one, the page goes to the login, which
// brings the browser back to this very address.
import type { Credential } from './api.js';
import { LOGIN_PATH, LOGOUT_PATH, SESSION_PATH, type Route } from './paths.js';
import type { SessionInfo } from './types.js';

const SHARE_KEY = 'mounts.share-link';

interface StoredShare {
  token: string;
  mount: string;
}

function storedShare(): StoredShare | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(SHARE_KEY) ?? 'null') as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { token, mount } = value as Record<string, unknown>;
    return typeof token === 'string' && typeof mount === 'string' ? { token, mount } : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the share link of this tab (it stopped working, or its holder logs in instead). */
export function forgetShare(): void {
  sessionStorage.removeItem(SHARE_KEY);
}

/** Takes `#share=<token>` from the address, if there, into this tab's storage. */
function adoptShareFragment(route: Route): void {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('share');
  if (token === null || route.kind !== 'mount') return;
  sessionStorage.setItem(SHARE_KEY, JSON.stringify({ token, mount: route.mount }));
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

export function loginUrl(): string {
  const returnTo = `${location.pathname}${location.search}`;
  return `${LOGIN_PATH}?returnTo=${encodeURIComponent(returnTo)}`;
}

/** The page's credential, or undefined when the browser is on its way to the login. */
export async function identify(route: Route): Promise<Credential | undefined> {
  adoptShareFragment(route);
  const share = storedShare();
  // A link serves its own mount; elsewhere the visitor is themselves.
  if (
    share !== undefined &&
    (route.kind === 'home' || (route.kind === 'mount' && route.mount === share.mount))
  )
    return { kind: 'share', token: share.token, mount: share.mount };
  const response = await fetch(SESSION_PATH, {
    cache: 'no-store',
    headers: { accept: 'application/json' },
  });
  const session = response.ok ? ((await response.json()) as SessionInfo) : undefined;
  if (session?.authenticated === true && session.csrfToken !== undefined)
    return {
      kind: 'session',
      csrfToken: session.csrfToken,
      name: session.user?.name ?? session.user?.email ?? session.user?.sub ?? '',
      logoutUrl: session.logoutUrl ?? LOGOUT_PATH,
    };
  location.replace(loginUrl());
  return undefined;
}

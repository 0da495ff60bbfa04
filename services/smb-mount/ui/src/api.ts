// The page's calls to the API, with the page's credential: the session (its cookie goes along
// by itself; unsafe requests add the CSRF token) or a share link (its token in X-Share-Link on
// every request: the cookie that opening the link set only serves plain downloads).
import { apiUrl, API, BASE } from './paths.js';
import type { EditorLaunch, Entry, Listing, MountSummary, ShareLink } from './types.js';

export type Credential =
  | { kind: 'session'; csrfToken: string; name: string; logoutUrl: string }
  | { kind: 'share'; token: string; mount: string };

/** A refusal or failure, with the API's error kind (`NotFound`, `Conflict`, …). */
export class ApiFailure extends Error {
  override name = 'ApiFailure';

  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<ApiFailure> {
  let kind = 'Internal';
  let message = response.statusText || `HTTP ${String(response.status)}`;
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') kind = body.error;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not the API's JSON (a proxy's page, say): the status says enough.
  }
  return new ApiFailure(response.status, kind, message);
}

export class Api {
  constructor(readonly credential: Credential) {}

  /** What every request of this page carries, tus uploads included. */
  headers(): Record<string, string> {
    return this.credential.kind === 'session'
      ? { 'X-CSRF-Token': this.credential.csrfToken }
      : { 'X-Share-Link': this.credential.token };
  }

  async #send(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers(), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await failure(response);
    return response;
  }

  async #json<T>(method: string, url: string, body?: unknown): Promise<T> {
    return (await (await this.#send(method, url, body)).json()) as T;
  }

  async mounts(): Promise<MountSummary[]> {
    return (await this.#json<{ mounts: MountSummary[] }>('GET', `${API}/mounts`)).mounts;
  }

  items(mount: string, path: string): Promise<Listing> {
    return this.#json('GET', apiUrl(mount, 'items', { path }));
  }

  stat(mount: string, path: string): Promise<Entry> {
    return this.#json('GET', apiUrl(mount, 'stat', { path }));
  }

  async mkdir(mount: string, path: string): Promise<void> {
    await this.#send('POST', apiUrl(mount, 'mkdir'), { path });
  }

  async move(mount: string, from: string, to: string): Promise<void> {
    await this.#send('POST', apiUrl(mount, 'move'), { from, to });
  }

  async remove(mount: string, path: string, recursive: boolean): Promise<void> {
    await this.#send('DELETE', apiUrl(mount, 'items', { path, recursive: recursive || undefined }));
  }

  async shareLinks(mount: string): Promise<ShareLink[]> {
    return (await this.#json<{ shareLinks: ShareLink[] }>('GET', apiUrl(mount, 'share-links')))
      .shareLinks;
  }

  createShareLink(
    mount: string,
    path: string,
    role: ShareLink['role'],
    expiresInSeconds: number,
  ): Promise<ShareLink> {
    return this.#json('POST', apiUrl(mount, 'share-links'), { path, role, expiresInSeconds });
  }

  async revokeShareLink(mount: string, id: string): Promise<void> {
    await this.#send('DELETE', apiUrl(mount, `share-links/${encodeURIComponent(id)}`));
  }

  launchEditor(mount: string, path: string, lang: string): Promise<EditorLaunch> {
    return this.#json('GET', apiUrl(mount, 'wopi', { path, lang }));
  }

  /** A download is a plain navigation, which carries cookies but no header. */
  contentUrl(mount: string, path: string): string {
    return apiUrl(mount, 'content', { path });
  }

  /**
   * Before a download through a share link: opening the link again sets its cookie, in case
   * another link opened in this browser since replaced it (there is one such cookie).
   */
  async prepareDownload(): Promise<void> {
    if (this.credential.kind !== 'share') return;
    await fetch(`${BASE}s/${encodeURIComponent(this.credential.token)}`, {
      redirect: 'manual',
      cache: 'no-store',
    });
  }
}

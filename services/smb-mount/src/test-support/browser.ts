// A browser, as far as logins and links need one: an RFC 6265 cookie jar (tough-cookie: Path,
// Secure, HttpOnly, expiry, SameSite by navigation context, the __Secure- prefix), redirects
// followed hop by hop, and the test IdP's or Keycloak's login form answered. The service's public
// https origin is routed to its loopback listener, as the edge would after TLS; cookies are kept
// against the public URL, so Secure and the prefixes apply as in a real browser.
import { CookieJar } from 'tough-cookie';

export interface BrowserRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Where the request comes from, for SameSite and Origin: a page URL (its origin is sent as
   * Origin on unsafe methods), or undefined for a URL typed in the address bar.
   */
  from?: URL;
  /** A top-level navigation (Lax cookies go along cross-site GETs) rather than a fetch. */
  navigation?: boolean;
}

export interface Hop {
  url: URL;
  status: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function site(url: URL): string {
  // Enough for these tests: hosts, not the public suffix list.
  return url.hostname;
}

export class TestBrowser {
  readonly jar = new CookieJar();
  readonly #routes: ReadonlyMap<string, string>;

  /** `routes`: public origin → the loopback base URL that serves it. */
  constructor(routes: Record<string, string>) {
    this.#routes = new Map(Object.entries(routes));
  }

  /** One request, cookies sent and stored, no redirect followed. */
  async request(target: URL | string, init: BrowserRequest = {}): Promise<Response> {
    const url = new URL(target);
    const method = init.method ?? 'GET';
    const crossSite = init.from !== undefined && site(init.from) !== site(url);
    const sameSiteContext = !crossSite
      ? 'strict'
      : init.navigation === true && method === 'GET'
        ? 'lax'
        : 'none';
    const cookie = await this.jar.getCookieString(url, { sameSiteContext });
    const headers: Record<string, string> = { ...init.headers };
    if (cookie !== '') headers.cookie = cookie;
    // A header the caller set wins: a test may play an old browser or a forger.
    if (init.from !== undefined && method !== 'GET' && method !== 'HEAD' && !('origin' in headers))
      headers.origin = init.from.origin;
    const routed = this.#routes.get(url.origin);
    const wire = routed === undefined ? url : new URL(`${url.pathname}${url.search}`, routed);
    const response = await fetch(wire, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      redirect: 'manual',
    });
    for (const header of response.headers.getSetCookie())
      await this.jar.setCookie(header, url, { ignoreError: true });
    return response;
  }

  /**
   * Follows a navigation through its redirects (a 303 or 302 turns into a GET) until `stop`
   * says so or a page answers; an IdP login page is answered with `login`. Returns the hops.
   */
  async navigate(
    start: URL | string,
    options: {
      from?: URL;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      login?: { name: string; password?: string };
      stop?: (url: URL) => boolean;
    } = {},
  ): Promise<{ hops: Hop[]; url: URL; response: Response }> {
    let url = new URL(start);
    let from = options.from;
    let method = options.method ?? 'GET';
    let body = options.body;
    let headers = options.headers;
    const hops: Hop[] = [];
    for (let hop = 0; hop < 20; hop += 1) {
      const response = await this.request(url, {
        method,
        ...(body === undefined ? {} : { body }),
        ...(headers === undefined ? {} : { headers }),
        ...(from === undefined ? {} : { from }),
        navigation: true,
      });
      hops.push({ url, status: response.status });
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location !== null) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
          headers = undefined;
        }
        from = url;
        url = next;
        if (options.stop?.(url) === true) return { hops, url, response };
        continue;
      }
      const page = response.status === 200 ? await response.clone().text() : '';
      const form = options.login === undefined ? undefined : loginForm(page, url, options.login);
      if (form === undefined) return { hops, url, response };
      from = url;
      url = form.action;
      method = 'POST';
      body = form.body;
      headers = { 'content-type': 'application/x-www-form-urlencoded' };
    }
    throw new Error(`more than 20 hops from ${String(start)}`);
  }
}

/** The IdP's login form, answered: Keycloak's username and password, or the test IdP's name. */
function loginForm(
  page: string,
  url: URL,
  login: { name: string; password?: string },
): { action: URL; body: string } | undefined {
  const action = /<form[^>]*\baction="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
  if (action === undefined) return undefined;
  if (page.includes('id="kc-form-login"'))
    return {
      action: new URL(action, url),
      body: new URLSearchParams({
        username: login.name,
        password: login.password ?? '',
        credentialId: '',
      }).toString(),
    };
  if (/<input[^>]*name="login"/.test(page))
    return {
      action: new URL(action, url),
      body: new URLSearchParams({ prompt: 'login', login: login.name, password: '' }).toString(),
    };
  return undefined;
}

// The web UI's entry point: find out who the visitor is (session or share link, else off to the
// login), draw the page's frame, then the view the address names; links inside the page change
// the address without reloading (history API), and Back and Forward redraw.
import { Api } from './api.js';
import type { App } from './context.js';
import { failureHandler } from './context.js';
import { h, replaceChildren } from './dom.js';
import { homeView } from './home-view.js';
import { identify } from './identity.js';
import { mountView } from './mount-view.js';
import { Notices } from './notices.js';
import { EDITORS_PATH, parseRoute } from './paths.js';
import { buildShell } from './shell.js';
import { texts } from './texts.js';
import type { MountSummary } from './types.js';
import { Uploads } from './uploads.js';

/** What the editor opens; none when that cannot be told (then "Open" is not offered). */
async function editorExtensions(): Promise<ReadonlySet<string>> {
  try {
    const response = await fetch(EDITORS_PATH, { headers: { accept: 'application/json' } });
    const body = (await response.json()) as { extensions?: unknown };
    return new Set(Array.isArray(body.extensions) ? body.extensions.map(String) : []);
  } catch {
    return new Set();
  }
}

async function start(root: HTMLElement): Promise<void> {
  document.title = texts.appName;
  const credential = await identify(parseRoute(location.pathname));
  if (credential === undefined) return;
  const api = new Api(credential);
  const notices = new Notices();
  const fail = failureHandler(credential, notices);
  let mounts: Promise<MountSummary[]> | undefined;
  let editable: Promise<ReadonlySet<string>> | undefined;
  let drawn = 0;

  const uploads = new Uploads(api, notices, (mount, directory) => {
    const route = parseRoute(location.pathname);
    // The new file shows at once where the visitor is looking.
    if (route.kind === 'mount' && route.mount === mount && route.path === directory)
      app.refresh().catch(fail);
  });
  const shell = buildShell(root, credential, notices.element, uploads.element);

  const draw = async (focus: boolean): Promise<void> => {
    drawn += 1;
    const mine = drawn;
    const route = parseRoute(location.pathname);
    const view = h('div', { class: 'view', 'aria-busy': 'true' });
    try {
      if (route.kind === 'home') await homeView(app, view);
      else if (route.kind === 'mount')
        await mountView(app, route.mount, route.path, route.directory, view);
      else view.append(h('h1', { tabindex: -1 }, texts.notFound));
    } catch (error) {
      if (mine !== drawn) return;
      // The notice says what went wrong; the heading only that there is no page.
      fail(error);
      view.replaceChildren(h('h1', { tabindex: -1 }, texts.pageUnavailable));
    }
    // A later navigation drew over this one already.
    if (mine !== drawn || view.childElementCount === 0) return;
    view.removeAttribute('aria-busy');
    const heading = view.querySelector('h1');
    document.title = heading?.textContent
      ? `${heading.textContent} – ${texts.appName}`
      : texts.appName;
    const focused = document.activeElement;
    const key = focused instanceof HTMLElement ? focused.dataset.focusKey : undefined;
    shell.view.replaceWith(view);
    shell.view = view;
    // After a navigation the heading takes focus, so that a screen reader announces the new
    // page; after a redraw in place (a sort, a refresh), focus stays on the same control.
    const again =
      key === undefined ? null : view.querySelector<HTMLElement>(`[data-focus-key="${key}"]`);
    if (!focus && again !== null) again.focus();
    else if (focus || focused === null || !focused.isConnected || focused === document.body)
      heading?.focus();
  };

  const app: App = {
    api,
    credential,
    notices,
    uploads,
    navigate: (url, options = {}) => {
      if (options.replace === true) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
      if (options.replace !== true) notices.clear();
      draw(options.replace !== true).catch(fail);
    },
    refresh: () => draw(false),
    mounts: () => {
      mounts ??= api.mounts();
      return mounts;
    },
    editable: () => {
      editable ??= editorExtensions();
      return editable;
    },
    fail,
  };

  // Links inside the page change the view; other clicks (new tab, download) go their own way.
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[data-nav]') : null;
    if (!(link instanceof HTMLAnchorElement) || link.origin !== location.origin) return;
    event.preventDefault();
    app.navigate(`${link.pathname}${link.search}`);
  });
  window.addEventListener('popstate', () => {
    draw(true).catch(fail);
  });
  await draw(false);
}

const root = document.getElementById('app');
if (root !== null) {
  replaceChildren(root, h('p', { class: 'muted' }, texts.loading));
  start(root).catch((error: unknown) => {
    replaceChildren(
      root,
      h(
        'p',
        { role: 'alert' },
        texts.failed(error instanceof Error ? error.message : String(error)),
      ),
    );
  });
}

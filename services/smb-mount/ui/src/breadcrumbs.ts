// Where the page is: the mounts (for a signed-in visitor), the mount or the share link's
// folder, then each folder down to the current one, which is marked as the current page. A
// share link's visitor sees nothing above the link's item.
import type { Credential } from './api.js';
import { h } from './dom.js';
import { BASE, nameOf, pageUrl, segmentsOf, within } from './paths.js';
import { texts } from './texts.js';
import type { MountSummary } from './types.js';

export function breadcrumbs(
  credential: Credential,
  mount: MountSummary,
  path: string,
  directory: boolean,
): HTMLElement {
  const top = mount.scope ?? '';
  const crumbs: { label: string; href: string }[] = [];
  if (credential.kind === 'session') crumbs.push({ label: texts.appName, href: BASE });
  const topIsFile = !directory && path === top && top !== '';
  crumbs.push({
    label: top === '' ? mount.name : nameOf(top),
    href: pageUrl(mount.name, top, !topIsFile),
  });
  if (within(top, path) && path !== top) {
    const below = segmentsOf(top === '' ? path : path.slice(top.length + 1));
    let at = top;
    below.forEach((segment, index) => {
      at = at === '' ? segment : `${at}/${segment}`;
      const last = index === below.length - 1;
      crumbs.push({ label: segment, href: pageUrl(mount.name, at, !last || directory) });
    });
  }
  const items = crumbs.map((crumb, index) =>
    index === crumbs.length - 1
      ? h(
          'li',
          {},
          h('a', { href: crumb.href, 'aria-current': 'page', 'data-nav': true }, crumb.label),
        )
      : h('li', {}, h('a', { href: crumb.href, 'data-nav': true }, crumb.label)),
  );
  return h('nav', { 'aria-label': texts.breadcrumb, class: 'breadcrumbs' }, h('ol', {}, ...items));
}

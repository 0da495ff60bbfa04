// A file's own page (`/mounts/<mount>/<path>` without the slash): where a link to a single file
// leads. Its details, and what the role allows: download, open in the editor, rename, move,
// delete, share.
import { breadcrumbs } from './breadcrumbs.js';
import type { App } from './context.js';
import { h } from './dom.js';
import { formatDate, formatSize } from './format.js';
import { itemActions, type ItemScope } from './item-actions.js';
import { pageUrl, parentOf } from './paths.js';
import { texts } from './texts.js';
import type { Entry, MountSummary } from './types.js';

export function renderFile(
  app: App,
  mount: MountSummary,
  entry: Entry,
  editable: ReadonlySet<string>,
  view: HTMLElement,
): void {
  const scope: ItemScope = {
    app,
    mount,
    changed: (_entry, change) => {
      if (change.kind === 'moved')
        app.navigate(pageUrl(mount.name, change.to, false), { replace: true });
      else app.navigate(pageUrl(mount.name, parentOf(entry.path), true), { replace: true });
      return Promise.resolve();
    },
    editable,
  };
  const shared = mount.scope !== undefined && mount.scope === entry.path;
  view.append(
    breadcrumbs(app.credential, mount, entry.path, false),
    h('h1', { tabindex: -1 }, entry.name),
    h(
      'dl',
      { class: 'details', 'aria-label': texts.fileDetails },
      h('dt', {}, texts.columnSize),
      h('dd', {}, formatSize(entry.size)),
      h('dt', {}, texts.columnModified),
      h('dd', {}, h('time', { datetime: entry.mtime }, formatDate(entry.mtime))),
    ),
    h('div', { class: 'toolbar' }, ...itemActions(scope, entry, shared)),
  );
}

// A folder of a mount: where it is, what can be done here (upload, new folder, share, refresh:
// each only when the role allows it), and its entries in a table sortable by name, size and
// date (the order is in the address). Rows lead into folders and to files' own pages.
import { breadcrumbs } from './breadcrumbs.js';
import type { App } from './context.js';
import { checkedName, formDialog, textField } from './dialogs.js';
import { button, h, onClick } from './dom.js';
import { formatDate, formatSize } from './format.js';
import { can, itemActions, type ItemScope } from './item-actions.js';
import { describe } from './notices.js';
import { joinPath, nameOf, pageUrl } from './paths.js';
import { allLinksDialog, shareDialog } from './share-dialog.js';
import { readSort, sortEntries, sortSearch, toggled, type Sort, type SortKey } from './sorting.js';
import { texts } from './texts.js';
import type { Entry, Listing, MountSummary } from './types.js';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: texts.columnName },
  { key: 'size', label: texts.columnSize },
  { key: 'modified', label: texts.columnModified },
];

function folderTitle(mount: MountSummary, path: string): string {
  return path === '' ? texts.mountRoot(mount.name) : nameOf(path);
}

export function renderFolder(
  app: App,
  mount: MountSummary,
  listing: Listing,
  editable: ReadonlySet<string>,
  view: HTMLElement,
): void {
  const path = listing.directory.path;
  const sort = readSort(location.search);
  const title = folderTitle(mount, path);
  const scope: ItemScope = {
    app,
    mount,
    changed: async () => {
      await app.refresh();
    },
    editable,
  };

  const toolbar = h('div', { class: 'toolbar', role: 'group', 'aria-label': title });
  const report = (error: unknown) => {
    app.fail(error);
  };
  if (can(mount, 'upload')) {
    const input = h('input', { type: 'file', multiple: true, hidden: true, 'aria-hidden': 'true' });
    const upload = button(texts.upload, { class: 'primary' });
    upload.addEventListener('click', () => {
      input.click();
    });
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      input.value = '';
      if (files.length > 0) startUploads(app, mount, listing, files);
    });
    toolbar.append(upload, input);
  }
  if (can(mount, 'mkdir')) {
    const create = button(texts.newFolder);
    create.addEventListener('click', () => {
      newFolderDialog(app, mount, path);
    });
    toolbar.append(create);
  }
  if (can(mount, 'share') && mount.capabilities.shareLinks) {
    const share = button(texts.shareFolder);
    share.addEventListener('click', () => {
      shareDialog(app, mount, path, title);
    });
    const all = button(texts.allShareLinks);
    all.addEventListener('click', () => {
      allLinksDialog(app, mount);
    });
    toolbar.append(share, all);
  }
  const refresh = button(texts.refresh, { 'data-focus-key': 'refresh' });
  onClick(
    refresh,
    async () => {
      await app.refresh();
      app.notices.info(texts.refreshed);
    },
    report,
  );
  toolbar.append(refresh);

  const entries = sortEntries(listing.entries, sort);
  const content =
    entries.length === 0
      ? h('p', { class: 'empty' }, texts.folderEmpty)
      : table(app, mount, entries, sort, scope, title);

  view.append(
    breadcrumbs(app.credential, mount, path, true),
    h('h1', { tabindex: -1 }, title),
    toolbar,
    content,
  );
}

function table(
  app: App,
  mount: MountSummary,
  entries: Entry[],
  sort: Sort,
  scope: ItemScope,
  title: string,
): HTMLElement {
  const headers = COLUMNS.map((column) => {
    const active = sort.key === column.key;
    // The arrow is decoration: aria-sort on the header says the order to assistive technology.
    const arrow = active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : '';
    const control = button(
      column.label,
      { class: 'sort', 'data-focus-key': `sort-${column.key}` },
      column.label,
      h('span', { 'aria-hidden': 'true', class: 'sort-arrow' }, arrow),
    );
    control.addEventListener('click', () => {
      const next = toggled(sort, column.key);
      app.navigate(`${location.pathname}${sortSearch(next)}`, { replace: true });
    });
    return h(
      'th',
      {
        scope: 'col',
        'aria-sort': active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined,
        class: active ? `sorted sorted-${sort.order}` : undefined,
      },
      control,
    );
  });
  const rows = entries.map((entry) => {
    const folder = entry.type === 'directory';
    const search = folder ? location.search : '';
    const name = h(
      'a',
      {
        href: pageUrl(mount.name, entry.path, folder, search),
        'data-nav': true,
        class: folder ? 'folder' : 'file',
      },
      entry.name,
    );
    return h(
      'tr',
      { 'data-name': entry.name, 'data-type': entry.type },
      h(
        'th',
        { scope: 'row', class: 'name' },
        folder ? h('span', { class: 'visually-hidden' }, `${texts.folder}: `) : null,
        name,
      ),
      h(
        'td',
        { class: 'size', 'data-bytes': entry.size },
        folder ? texts.noSize : formatSize(entry.size),
      ),
      h('td', { class: 'modified' }, h('time', { datetime: entry.mtime }, formatDate(entry.mtime))),
      h('td', {}, h('div', { class: 'actions' }, ...itemActions(scope, entry, false))),
    );
  });
  return h(
    'table',
    { class: 'listing' },
    h(
      'caption',
      { class: 'visually-hidden' },
      `${texts.folderCaption(title)}, ${sort.order === 'asc' ? texts.sortedAscending : texts.sortedDescending}`,
    ),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...headers,
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, texts.columnActions)),
      ),
    ),
    h('tbody', {}, ...rows),
  );
}

function newFolderDialog(app: App, mount: MountSummary, parent: string): void {
  const { field, input } = textField(texts.folderName, '');
  formDialog({
    title: texts.newFolderTitle,
    fields: [field],
    submitLabel: texts.create,
    describe,
    submit: async () => {
      const name = checkedName(input.value);
      await app.api.mkdir(mount.name, joinPath(parent, name));
      app.notices.info(texts.created(name));
      await app.refresh();
    },
  });
}

/** Uploads the files here, asking first when some would replace files of the same name. */
function startUploads(app: App, mount: MountSummary, listing: Listing, files: File[]): void {
  const directory = listing.directory.path;
  const existing = new Set(
    listing.entries.filter((entry) => entry.type === 'file').map((entry) => entry.name),
  );
  const replaced = files.filter((file) => existing.has(file.name)).map((file) => file.name);
  if (replaced.length === 0) {
    app.uploads.add(mount, directory, files);
    return;
  }
  formDialog({
    title: texts.replaceTitle,
    fields: [h('p', {}, texts.replaceFiles(replaced.join(', ')))],
    submitLabel: texts.replace,
    danger: true,
    describe,
    submit: () => {
      app.uploads.add(mount, directory, files);
      return Promise.resolve();
    },
  });
}

// What can be done to one file or folder, offered only when the visitor's role allows it (the
// mount's `actions` from /mounts/api/v1/mounts), each a control named after its item so that
// a screen reader's list of buttons says which row it belongs to.
import type { App } from './context.js';
import { checkedName, formDialog, textField } from './dialogs.js';
import { button, h, onClick } from './dom.js';
import { openEditor } from './editor.js';
import { moveDialog } from './move-dialog.js';
import { describe } from './notices.js';
import { joinPath, parentOf } from './paths.js';
import { shareDialog } from './share-dialog.js';
import { texts } from './texts.js';
import type { Action, Entry, MountSummary } from './types.js';

export type Change = { kind: 'moved'; to: string } | { kind: 'deleted' };

export interface ItemScope {
  app: App;
  mount: MountSummary;
  /** After a change, what the view does (reload the list, or go to the new address). */
  changed: (entry: Entry, change: Change) => Promise<void>;
  /** The file extensions the online editor opens. */
  editable: ReadonlySet<string>;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function can(mount: MountSummary, action: Action): boolean {
  return mount.actions.includes(action);
}

/** A download link: a navigation (the browser's own download), carrying the cookies. */
export function downloadLink(
  app: App,
  mount: MountSummary,
  entry: Entry,
  label: string,
): HTMLElement {
  const href = app.api.contentUrl(mount.name, entry.path);
  const link = h(
    'a',
    { href, download: entry.name, class: 'button', 'aria-label': texts.downloadNamed(entry.name) },
    label,
  );
  if (app.credential.kind === 'share') {
    // The download rides on the share link's cookie: make sure it is this tab's link.
    let ready = false;
    link.addEventListener('click', (event) => {
      if (ready) {
        ready = false;
        return;
      }
      event.preventDefault();
      app.api.prepareDownload().then(
        () => {
          ready = true;
          link.click();
        },
        (error: unknown) => {
          app.fail(error);
        },
      );
    });
  }
  return link;
}

function renameDialog(scope: ItemScope, entry: Entry): void {
  const { app, mount } = scope;
  const { field, input } = textField(texts.newName, entry.name);
  formDialog({
    title: texts.renameTitle(entry.name),
    fields: [field],
    submitLabel: texts.rename,
    describe,
    submit: async () => {
      const name = checkedName(input.value);
      if (name === entry.name) return;
      const to = joinPath(parentOf(entry.path), name);
      await app.api.move(mount.name, entry.path, to);
      app.notices.info(texts.renamed(entry.name, name));
      await scope.changed(entry, { kind: 'moved', to });
    },
  });
  // The name without its extension is what people usually change.
  const dot = entry.type === 'file' ? entry.name.lastIndexOf('.') : -1;
  input.setSelectionRange(0, dot > 0 ? dot : entry.name.length);
}

function deleteDialog(scope: ItemScope, entry: Entry): void {
  const { app, mount } = scope;
  const folder = entry.type === 'directory';
  formDialog({
    title: texts.deleteTitle,
    fields: [h('p', {}, folder ? texts.deleteFolder(entry.name) : texts.deleteFile(entry.name))],
    submitLabel: texts.delete,
    danger: true,
    describe,
    submit: async () => {
      await app.api.remove(mount.name, entry.path, folder);
      app.notices.info(texts.deleted(entry.name));
      await scope.changed(entry, { kind: 'deleted' });
    },
  });
}

/** The controls for `entry`; `shared` is true for the item a share link names itself. */
export function itemActions(scope: ItemScope, entry: Entry, shared: boolean): HTMLElement[] {
  const { app, mount } = scope;
  const report = (error: unknown) => {
    app.fail(error);
  };
  const controls: HTMLElement[] = [];
  const file = entry.type === 'file';
  if (file && can(mount, 'download'))
    controls.push(downloadLink(app, mount, entry, texts.download));
  const editable = scope.editable.has(extensionOf(entry.name));
  if (file && editable && mount.capabilities.wopi && can(mount, 'preview')) {
    const open = button(texts.open, { 'aria-label': texts.openNamed(entry.name) });
    onClick(open, () => openEditor(app, mount, entry), report);
    controls.push(open);
  }
  // A link cannot move or delete what it shares (the API refuses it too).
  if (can(mount, 'move') && !shared) {
    const rename = button(texts.rename, { 'aria-label': texts.renameNamed(entry.name) });
    rename.addEventListener('click', () => {
      renameDialog(scope, entry);
    });
    const move = button(texts.move, { 'aria-label': texts.moveNamed(entry.name) });
    onClick(
      move,
      async () => {
        const to = await moveDialog(app, mount, entry);
        if (to !== undefined) await scope.changed(entry, { kind: 'moved', to });
      },
      report,
    );
    controls.push(rename, move);
  }
  if (can(mount, 'delete') && !shared) {
    const remove = button(texts.delete, {
      'aria-label': texts.deleteNamed(entry.name),
      class: 'danger',
    });
    remove.addEventListener('click', () => {
      deleteDialog(scope, entry);
    });
    controls.push(remove);
  }
  if (can(mount, 'share') && mount.capabilities.shareLinks) {
    const share = button(texts.share, { 'aria-label': texts.shareNamed(entry.name) });
    share.addEventListener('click', () => {
      shareDialog(app, mount, entry.path, entry.name);
    });
    controls.push(share);
  }
  return controls;
}

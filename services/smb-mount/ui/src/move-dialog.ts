// Moving an item to another folder of the same mount: a small folder browser in a dialog,
// starting where the item is, that can go up (not above a share link's folder) and into
// sub-folders (never into the item itself), and moves the item into the folder shown.
import type { App } from './context.js';
import { openDialog } from './dialogs.js';
import { button, h, onClick, replaceChildren } from './dom.js';
import { describe } from './notices.js';
import { joinPath, nameOf, parentOf, within } from './paths.js';
import { texts } from './texts.js';
import type { Entry, MountSummary } from './types.js';

/** Resolves with the item's new path once moved, or undefined when cancelled. */
export function moveDialog(
  app: App,
  mount: MountSummary,
  item: Entry,
): Promise<string | undefined> {
  const dialog = openDialog(texts.moveTitle(item.name), { wide: true });
  const top = mount.scope ?? '';
  const from = parentOf(item.path);
  let current = from;
  let moved: string | undefined;

  const where = h('p', { class: 'move-where', 'aria-live': 'polite' });
  const up = button(texts.moveUp);
  const list = h('ul', { class: 'folder-list', 'aria-label': texts.moveDestination });
  const confirm = h('button', { type: 'button', class: 'primary' }, texts.moveHere);
  const cancel = button(texts.cancel);
  cancel.addEventListener('click', () => {
    dialog.close();
  });
  dialog.body.append(where, up, list, h('div', { class: 'dialog-buttons' }, cancel, confirm));

  const show = async (path: string): Promise<void> => {
    const listing = await app.api.items(mount.name, path);
    current = path;
    const label = path === '' ? `/${mount.name}` : `/${mount.name}/${path}`;
    replaceChildren(where, `${texts.moveDestination}: `, h('strong', {}, label));
    up.disabled = path === top || !within(top, parentOf(path));
    confirm.disabled = path === from;
    const folders = listing.entries.filter(
      (entry) => entry.type === 'directory' && entry.path !== item.path,
    );
    replaceChildren(
      list,
      ...(folders.length === 0
        ? [h('li', { class: 'muted' }, texts.noSubfolders)]
        : folders.map((folder) => {
            const open = button(folder.name, {
              class: 'link-button',
              'aria-label': texts.openFolder(folder.name),
            });
            onClick(open, () => show(folder.path), report);
            return h('li', {}, open);
          })),
    );
  };
  const report = (error: unknown) => {
    dialog.error(describe(error));
  };

  onClick(up, () => show(parentOf(current)), report);
  onClick(
    confirm,
    async () => {
      confirm.disabled = true;
      const to = joinPath(current, item.name);
      try {
        await app.api.move(mount.name, item.path, to);
      } catch (error) {
        confirm.disabled = false;
        throw error;
      }
      moved = to;
      app.notices.info(texts.moved(item.name, current === '' ? mount.name : nameOf(current)));
      dialog.close();
    },
    report,
  );
  show(from).then(() => {
    (list.querySelector('button') ?? (confirm.disabled ? cancel : confirm)).focus();
  }, report);
  return dialog.closed.then(() => moved);
}

// Share links (managers): a link to a file or folder with a role and a lifetime, its address
// shown to copy, and the links in force, each revocable. The same list, for the whole mount,
// is the "Share links" dialog.
import type { App } from './context.js';
import { openDialog, type Dialog } from './dialogs.js';
import { button, h, onClick, replaceChildren } from './dom.js';
import { formatDate } from './format.js';
import { describe } from './notices.js';
import { texts } from './texts.js';
import type { MountSummary, ShareLink } from './types.js';

let counter = 0;
const nextId = (prefix: string) => {
  counter += 1;
  return `${prefix}-${String(counter)}`;
};

function roleLabel(role: ShareLink['role']): string {
  return texts.roles[role] ?? role;
}

function shownPath(mount: string, path: string): string {
  return path === '' ? `/${mount}` : `/${mount}/${path}`;
}

/** A read-only field with the link's address and a Copy button. */
function linkField(url: string, dialog: Dialog): HTMLElement {
  const id = nextId('link');
  const input = h('input', { id, type: 'url', value: url, readonly: true, class: 'link-url' });
  input.addEventListener('focus', () => {
    input.select();
  });
  const copied = h('span', { class: 'muted', 'aria-live': 'polite' });
  const copy = button(texts.copy);
  onClick(
    copy,
    async () => {
      try {
        await navigator.clipboard.writeText(url);
        replaceChildren(copied, texts.copied);
      } catch {
        input.focus();
        replaceChildren(copied, texts.copyFailed);
      }
    },
    (error: unknown) => {
      dialog.error(describe(error));
    },
  );
  return h('p', { class: 'field' }, h('label', { for: id }, texts.linkUrl), input, copy, copied);
}

/** The links in force, for one path or (path undefined) the whole mount, each revocable. */
function linkList(
  app: App,
  mount: MountSummary,
  path: string | undefined,
  dialog: Dialog,
): { element: HTMLElement; reload: () => Promise<void> } {
  const list = h('ul', { class: 'share-links' });
  const reload = async (): Promise<void> => {
    const links = (await app.api.shareLinks(mount.name)).filter(
      (link) => path === undefined || link.path === path,
    );
    if (links.length === 0) {
      replaceChildren(list, h('li', { class: 'muted' }, texts.noLinks));
      return;
    }
    replaceChildren(
      list,
      ...links.map((link) => {
        const where = shownPath(mount.name, link.path);
        const revoke = button(texts.revoke, { 'aria-label': texts.revokeNamed(where) });
        onClick(
          revoke,
          async () => {
            await app.api.revokeShareLink(mount.name, link.id);
            app.notices.info(texts.revoked);
            await reload();
            dialog.dialog.querySelector<HTMLElement>('h2')?.focus();
          },
          (error: unknown) => {
            dialog.error(describe(error));
          },
        );
        return h(
          'li',
          { class: 'share-link', 'data-link-id': link.id },
          path === undefined ? h('p', {}, texts.linkFor(where)) : null,
          h('p', {}, texts.linkSummary(roleLabel(link.role), formatDate(link.expiresAt))),
          linkField(link.url, dialog),
          revoke,
        );
      }),
    );
  };
  const titleId = nextId('links');
  return {
    element: h(
      'section',
      { 'aria-labelledby': titleId },
      h('h3', { id: titleId }, texts.existingLinks),
      list,
    ),
    reload,
  };
}

function closeButton(dialog: Dialog): HTMLElement {
  const close = button(texts.close);
  close.addEventListener('click', () => {
    dialog.close();
  });
  return h('div', { class: 'dialog-buttons' }, close);
}

/** Creates a link to `path` and lists the links to it. */
export function shareDialog(app: App, mount: MountSummary, path: string, name: string): void {
  const dialog = openDialog(texts.shareTitle(name), { wide: true });
  dialog.dialog.querySelector('h2')?.setAttribute('tabindex', '-1');
  const roleName = nextId('role');
  const radio = (value: ShareLink['role'], label: string, checked: boolean) => {
    const id = nextId('role-option');
    return h(
      'p',
      { class: 'choice' },
      h('input', { type: 'radio', name: roleName, id, value, checked }),
      h('label', { for: id }, label),
    );
  };
  const expiryId = nextId('expiry');
  const expiry = h(
    'select',
    { id: expiryId },
    ...texts.expiryOptions.map((option, index) =>
      h('option', { value: option.seconds, selected: index === 1 }, option.label),
    ),
  );
  const create = h('button', { type: 'submit', class: 'primary' }, texts.createLink);
  const result = h('div', { class: 'share-result' });
  const form = h(
    'form',
    { class: 'dialog-form' },
    h(
      'fieldset',
      {},
      h('legend', {}, texts.shareRole),
      radio('viewer', texts.shareRoleViewer, true),
      radio('editor', texts.shareRoleEditor, false),
    ),
    h('p', { class: 'field' }, h('label', { for: expiryId }, texts.shareExpiry), expiry),
    h('div', { class: 'dialog-buttons' }, create),
  );
  const links = linkList(app, mount, path, dialog);
  dialog.body.append(form, result, links.element, closeButton(dialog));
  const report = (error: unknown) => {
    dialog.error(describe(error));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const checked = form.querySelector<HTMLInputElement>(`input[name="${roleName}"]:checked`);
    const role = checked?.value === 'editor' ? 'editor' : 'viewer';
    create.disabled = true;
    app.api
      .createShareLink(mount.name, path, role, Number(expiry.value))
      .then(async (link) => {
        replaceChildren(
          result,
          h('p', { role: 'status' }, texts.linkCreated),
          linkField(link.url, dialog),
        );
        result.querySelector('input')?.focus();
        await links.reload();
      })
      .catch(report)
      .finally(() => {
        create.disabled = false;
      });
  });
  links.reload().catch(report);
  form.querySelector('input')?.focus();
}

/** Every link of the mount in force, each revocable. */
export function allLinksDialog(app: App, mount: MountSummary): void {
  const dialog = openDialog(texts.allLinksTitle, { wide: true });
  dialog.dialog.querySelector('h2')?.setAttribute('tabindex', '-1');
  const links = linkList(app, mount, undefined, dialog);
  const close = closeButton(dialog);
  dialog.body.append(links.element, close);
  links.reload().catch((error: unknown) => {
    dialog.error(describe(error));
  });
  close.querySelector('button')?.focus();
}

// Modal dialogs on the native <dialog>: showModal() keeps keyboard focus inside and makes the
// rest of the page inert, Escape cancels. Focus goes back to what opened the dialog, or to the
// page's heading when that is gone (a deleted row, say).
import { button, h, replaceChildren } from './dom.js';
import { UserError } from './notices.js';
import { texts } from './texts.js';

let counter = 0;

export interface Dialog {
  dialog: HTMLDialogElement;
  /** The dialog's content area. */
  body: HTMLElement;
  /** Shows a failure inside the dialog (read out at once). */
  error(message: string): void;
  close(): void;
  /** Resolves when the dialog has closed, however. */
  closed: Promise<void>;
}

function restoreFocus(opener: Element | null): void {
  if (opener instanceof HTMLElement && opener.isConnected) {
    opener.focus();
    return;
  }
  document.querySelector<HTMLElement>('main h1')?.focus();
}

export function openDialog(title: string, options: { wide?: boolean } = {}): Dialog {
  counter += 1;
  const titleId = `dialog-title-${String(counter)}`;
  const alert = h('p', { role: 'alert', class: 'notice notice-error' });
  const body = h('div', { class: 'dialog-body' });
  const dialog = h(
    'dialog',
    { 'aria-labelledby': titleId, class: options.wide === true ? 'dialog dialog-wide' : 'dialog' },
    h('h2', { id: titleId }, title),
    body,
    alert,
  );
  const opener = document.activeElement;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    restoreFocus(opener);
    resolveClosed();
  });
  document.body.append(dialog);
  dialog.showModal();
  return {
    dialog,
    body,
    error: (message) => {
      replaceChildren(alert, message);
    },
    close: () => {
      dialog.close();
    },
    closed,
  };
}

/**
 * A dialog with a form: `submit` runs on the form's submission (Enter in a field, or the submit
 * button); the dialog closes when it resolves, and shows its failure otherwise.
 */
export function formDialog(options: {
  title: string;
  fields: Node[];
  submitLabel: string;
  danger?: boolean;
  submit: () => Promise<void>;
  describe: (error: unknown) => string;
}): Dialog {
  const dialog = openDialog(options.title);
  const submit = h(
    'button',
    { type: 'submit', class: options.danger === true ? 'danger' : 'primary' },
    options.submitLabel,
  );
  const cancel = button(texts.cancel);
  cancel.addEventListener('click', () => {
    dialog.close();
  });
  const form = h(
    'form',
    { class: 'dialog-form' },
    ...options.fields,
    h('div', { class: 'dialog-buttons' }, cancel, submit),
  );
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    submit.disabled = true;
    options.submit().then(
      () => {
        dialog.close();
      },
      (error: unknown) => {
        busy = false;
        submit.disabled = false;
        dialog.error(options.describe(error));
      },
    );
  });
  dialog.body.append(form);
  // The first field, or for a plain question the button that answers it.
  (form.querySelector<HTMLElement>('input, select') ?? submit).focus();
  return dialog;
}

/** A labelled text field for a form dialog. */
export function textField(
  label: string,
  value: string,
): { field: HTMLElement; input: HTMLInputElement } {
  counter += 1;
  const id = `field-${String(counter)}`;
  const input = h('input', {
    id,
    type: 'text',
    value,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  return { field: h('p', { class: 'field' }, h('label', { for: id }, label), input), input };
}

/** A name for a new or renamed item, as the API will take it (one path segment). */
export function checkedName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new UserError(texts.nameRequired);
  if (name.includes('/') || name.includes('\\')) throw new UserError(texts.nameNoSlash);
  return name;
}

// What the page tells the person after an action: outcomes politely (a status region screen
// readers read when idle), failures at once (an alert region). Both stay visible until the
// next notice.
import { ApiFailure } from './api.js';
import { h, replaceChildren } from './dom.js';
import { texts } from './texts.js';

export class Notices {
  readonly element: HTMLElement;
  readonly #status: HTMLElement;
  readonly #alert: HTMLElement;

  constructor() {
    this.#status = h('p', { role: 'status', class: 'notice', id: 'status' });
    this.#alert = h('p', { role: 'alert', class: 'notice notice-error', id: 'alert' });
    this.element = h('div', { class: 'notices' }, this.#status, this.#alert);
  }

  info(message: string): void {
    replaceChildren(this.#alert);
    replaceChildren(this.#status, message);
  }

  error(message: string): void {
    replaceChildren(this.#status);
    replaceChildren(this.#alert, message);
  }

  clear(): void {
    replaceChildren(this.#status);
    replaceChildren(this.#alert);
  }
}

/** A refusal by the page itself (an empty name, say): its message is for the person as is. */
export class UserError extends Error {
  override name = 'UserError';
}

/** The person's words for an API failure (or any other error). */
export function describe(error: unknown): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof ApiFailure) {
    switch (error.kind) {
      case 'NotFound':
        return texts.notFound;
      case 'Forbidden':
        return texts.forbidden;
      case 'Conflict':
      case 'NotEmpty':
        return texts.conflict;
      case 'UnsupportedMediaType':
        return texts.noEditor;
      case 'Unavailable':
      case 'Timeout':
        return texts.unavailable;
      default:
        return texts.failed(error.message);
    }
  }
  return texts.failed(error instanceof Error ? error.message : String(error));
}

// Uploads with tus-js-client (resumable, tus 1.0), one file at a time, in chunks of the size the
// mount's capabilities give. Each file shows its progress; one that fails after the automatic
// retries can be retried, and resumes where the server's offset says (the Upload keeps its URL;
// after a reload, the URL kept in localStorage under the file's fingerprint is found again).
// The queue belongs to the page, not a folder: browsing on does not stop an upload.
import type * as Tus from 'tus-js-client';
import type { Api } from './api.js';
import { button, h, onClick, replaceChildren } from './dom.js';
import { formatSize } from './format.js';
import { describe, type Notices } from './notices.js';
import { texts } from './texts.js';
import type { MountSummary } from './types.js';

declare global {
  interface Window {
    /** tus-js-client's browser build (tus.min.js), loaded by the page before its modules. */
    tus?: typeof Tus;
  }
}

type State = 'waiting' | 'running' | 'done' | 'failed' | 'cancelled';

interface Item {
  mount: MountSummary;
  directory: string;
  file: File;
  state: State;
  upload?: Tus.Upload;
  element: HTMLLIElement;
  progress: HTMLProgressElement;
  detail: HTMLElement;
  controls: HTMLElement;
}

/** Retries within one attempt: a passing network fault or a server restart is ridden out. */
const RETRY_DELAYS_MS = [0, 1000, 3000];

/** The API's message from a failed tus request, if its answer was the API's JSON. */
function reason(error: Error): string {
  const response = (error as Partial<Tus.DetailedError>).originalResponse;
  if (response) {
    try {
      const body = JSON.parse(response.getBody()) as { message?: unknown };
      if (typeof body.message === 'string') return body.message;
    } catch {
      // Not JSON: the status is all there is.
    }
    return `HTTP ${String(response.getStatus())}`;
  }
  // No answer at all: the request never completed.
  return texts.uploadInterrupted;
}

export class Uploads {
  readonly element: HTMLElement;
  readonly #list: HTMLUListElement;
  readonly #api: Api;
  readonly #notices: Notices;
  readonly #onUploaded: (mount: string, directory: string) => void;
  readonly #queue: Item[] = [];
  #running: Item | undefined;

  constructor(api: Api, notices: Notices, onUploaded: (mount: string, directory: string) => void) {
    this.#api = api;
    this.#notices = notices;
    this.#onUploaded = onUploaded;
    this.#list = h('ul', { class: 'upload-list' });
    this.element = h(
      'section',
      { class: 'uploads', 'aria-labelledby': 'uploads-title', hidden: true },
      h('h2', { id: 'uploads-title' }, texts.uploadsTitle),
      this.#list,
    );
  }

  add(mount: MountSummary, directory: string, files: readonly File[]): void {
    if (window.tus === undefined) {
      this.#notices.error(texts.uploadsUnavailable);
      return;
    }
    for (const file of files) {
      const progress = h('progress', {
        max: Math.max(file.size, 1),
        value: 0,
        'aria-label': texts.uploadProgress(file.name),
      });
      const detail = h('span', { class: 'upload-detail' }, texts.uploadWaiting);
      const controls = h('span', { class: 'upload-controls' });
      const element = h(
        'li',
        { class: 'upload', 'data-name': file.name },
        h('span', { class: 'upload-name' }, file.name),
        progress,
        detail,
        controls,
      );
      const item: Item = {
        mount,
        directory,
        file,
        state: 'waiting',
        element,
        progress,
        detail,
        controls,
      };
      this.#list.append(element);
      this.#queue.push(item);
      this.#controls(item);
    }
    this.element.hidden = false;
    this.#next();
  }

  #setState(item: Item, state: State, detail: string): void {
    item.state = state;
    item.element.dataset.state = state;
    replaceChildren(item.detail, detail);
    this.#controls(item);
  }

  /** Cancel while waiting or running; Retry after a failure; Remove once finished. */
  #controls(item: Item): void {
    const name = item.file.name;
    const report = (error: unknown) => {
      this.#notices.error(describe(error));
    };
    const controls: HTMLElement[] = [];
    if (item.state === 'waiting' || item.state === 'running') {
      const cancel = button(texts.cancel, { 'aria-label': texts.cancelNamed(name) });
      onClick(cancel, () => this.#cancel(item), report);
      controls.push(cancel);
    }
    if (item.state === 'failed') {
      const retry = button(texts.retry, { 'aria-label': texts.retryNamed(name) });
      onClick(
        retry,
        () => {
          this.#setState(item, 'waiting', texts.uploadWaiting);
          this.#queue.push(item);
          this.#next();
        },
        report,
      );
      controls.push(retry);
    }
    if (item.state === 'done' || item.state === 'failed' || item.state === 'cancelled') {
      const dismiss = button(texts.dismiss, { 'aria-label': texts.dismissNamed(name) });
      dismiss.addEventListener('click', () => {
        item.element.remove();
        this.element.hidden = this.#list.childElementCount === 0;
        this.element.querySelector('h2')?.setAttribute('tabindex', '-1');
        this.element.querySelector<HTMLElement>('h2')?.focus();
      });
      controls.push(dismiss);
    }
    replaceChildren(item.controls, ...controls);
  }

  async #cancel(item: Item): Promise<void> {
    const index = this.#queue.indexOf(item);
    if (index >= 0) this.#queue.splice(index, 1);
    // Terminating deletes the server's partial file; the target is untouched.
    if (item.state === 'running') await item.upload?.abort(true);
    this.#setState(item, 'cancelled', texts.uploadCancelled);
    if (this.#running === item) {
      this.#running = undefined;
      this.#next();
    }
  }

  #next(): void {
    if (this.#running !== undefined) return;
    const item = this.#queue.shift();
    if (item === undefined) return;
    this.#running = item;
    this.#start(item).catch((error: unknown) => {
      this.#finish(item, 'failed', texts.uploadFailed(describe(error)));
    });
  }

  #finish(item: Item, state: State, detail: string): void {
    this.#setState(item, state, detail);
    if (this.#running === item) this.#running = undefined;
    this.#next();
  }

  async #start(item: Item): Promise<void> {
    const tus = window.tus;
    const { capabilities } = item.mount;
    if (tus === undefined) throw new Error(texts.uploadsUnavailable);
    if (item.file.size > capabilities.upload.maxFileSizeBytes) {
      this.#finish(
        item,
        'failed',
        texts.uploadFailed(`> ${formatSize(capabilities.upload.maxFileSizeBytes)}`),
      );
      return;
    }
    this.#setState(item, 'running', texts.uploadedOf(formatSize(0), formatSize(item.file.size)));
    if (item.upload === undefined) {
      const { file, directory } = item;
      const credential = this.#api.credential.kind;
      const fingerprint = [
        'mounts',
        credential,
        item.mount.name,
        directory,
        file.name,
        file.size,
        file.lastModified,
      ].join('\n');
      const upload = new tus.Upload(file, {
        endpoint: capabilities.upload.tusEndpoint,
        ...(capabilities.upload.chunked ? { chunkSize: capabilities.upload.chunkSizeBytes } : {}),
        metadata: { filename: file.name, ...(directory === '' ? {} : { directory }) },
        headers: this.#api.headers(),
        retryDelays: RETRY_DELAYS_MS,
        fingerprint: () => Promise.resolve(fingerprint),
        removeFingerprintOnSuccess: true,
        onProgress: (sent, total) => {
          item.progress.max = Math.max(total, 1);
          item.progress.value = sent;
          replaceChildren(item.detail, texts.uploadedOf(formatSize(sent), formatSize(total)));
        },
        onSuccess: () => {
          item.progress.value = item.progress.max;
          this.#finish(item, 'done', texts.uploadDone);
          this.#notices.info(texts.uploaded(file.name));
          this.#onUploaded(item.mount.name, directory);
        },
        onError: (error) => {
          this.#finish(item, 'failed', texts.uploadFailed(reason(error)));
        },
      });
      item.upload = upload;
      // An earlier attempt at this file (before a reload) goes on from the server's offset.
      const [previous] = await upload.findPreviousUploads();
      if (previous !== undefined) upload.resumeFromPreviousUpload(previous);
    }
    item.upload.start();
  }
}

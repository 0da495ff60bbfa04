// The editors' discovery documents, fetched from WOPI_DISCOVERY_URLS and kept for a while: launch
// URLs and proof keys come from them. An editor rotates its proof key on restart (Collabora
// without a shared key) or on schedule (Office), so a proof that fails may only mean an old
// document: the caller then asks for a refresh, rate-limited so that forged requests cannot turn
// this service into a discovery flood. A document that cannot be fetched keeps its last good copy.
import {
  DiscoveryError,
  parseDiscovery,
  type ActionUrls,
  type EditorDiscovery,
} from './discovery.js';

export interface DiscoveryCacheOptions {
  /** How long a document is used before it is fetched again. */
  ttlMs?: number;
  /** Per fetch, headers and body together. */
  timeoutMs?: number;
  /** The shortest time between two refreshes asked for by failed proofs. */
  minRefreshIntervalMs?: number;
  now?: () => number;
}

/** Real documents are tens of KiB; anything this large is not discovery. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface EditorMatch {
  editor: EditorDiscovery;
  actions: ActionUrls & { edit: string };
}

export interface DiscoverySnapshot {
  /** One entry per discovery URL, in the configured order; undefined until it first loads. */
  editors: readonly (EditorDiscovery | undefined)[];
  /** Why the last fetch of each URL failed, if it did ('' when it did not). */
  failures: readonly string[];
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    // Drive follows redirects; the operator checked this exact URL, so a redirect is a fault.
    redirect: 'manual',
    headers: { accept: 'application/xml, text/xml' },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new DiscoveryError(`GET ${url} answered ${String(response.status)}`);
  }
  // undici types the stream loosely; its chunks are bytes.
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw new DiscoveryError(`GET ${url} answered more than ${String(MAX_BODY_BYTES)} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

/**
 * Which editor opens a file, as Drive decides: by extension (lower-cased) first, then by
 * mimetype; among editors, the later one in WOPI_CLIENTS order wins. Only files with an edit
 * action open (Drive keeps no other); the view action is an extra for viewers.
 */
export function matchEditor(
  snapshot: DiscoverySnapshot,
  extension: string,
  mimetype?: string,
): EditorMatch | undefined {
  let found: EditorMatch | undefined;
  for (const editor of snapshot.editors) {
    if (!editor) continue;
    const actions =
      editor.byExtension.get(extension.toLowerCase()) ??
      (mimetype === undefined ? undefined : editor.byMimetype.get(mimetype));
    if (actions?.edit !== undefined)
      found = { editor, actions: { ...actions, edit: actions.edit } };
  }
  return found;
}

export class DiscoveryCache {
  readonly urls: readonly string[];
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  readonly #minRefreshIntervalMs: number;
  readonly #now: () => number;
  #editors: (EditorDiscovery | undefined)[];
  #failures: string[];
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<DiscoverySnapshot> | undefined;

  constructor(urls: readonly string[], options: DiscoveryCacheOptions = {}) {
    this.urls = [...urls];
    this.#ttlMs = options.ttlMs ?? 60 * 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#editors = this.urls.map(() => undefined);
    this.#failures = this.urls.map(() => '');
  }

  #snapshot(): DiscoverySnapshot {
    return { editors: [...this.#editors], failures: [...this.#failures] };
  }

  /** Fetches every document again; one fetch at a time, callers meanwhile share it. */
  refresh(): Promise<DiscoverySnapshot> {
    this.#inFlight ??= (async () => {
      try {
        const results = await Promise.allSettled(
          this.urls.map(async (url) => parseDiscovery(await fetchText(url, this.#timeoutMs), url)),
        );
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') {
            this.#editors[index] = result.value;
            this.#failures[index] = '';
          } else {
            const reason: unknown = result.reason;
            this.#failures[index] = reason instanceof Error ? reason.message : String(reason);
          }
        });
        this.#fetchedAt = this.#now();
        return this.#snapshot();
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }

  /** The documents, fetched first when older than the TTL or when one never loaded. */
  async get(): Promise<DiscoverySnapshot> {
    const stale = this.#now() - this.#fetchedAt >= this.#ttlMs;
    const missing = this.#editors.some((editor) => editor === undefined);
    // A URL that never loaded is retried no more often than proofs may ask.
    if (stale || (missing && this.#now() - this.#fetchedAt >= this.#minRefreshIntervalMs))
      return this.refresh();
    return this.#snapshot();
  }

  /**
   * After a proof failed against the cached keys: fetches again unless that happened within the
   * minimum interval; undefined when it did not fetch (the caller's verdict stands).
   */
  async refreshAfterFailedProof(): Promise<DiscoverySnapshot | undefined> {
    if (this.#now() - this.#fetchedAt < this.#minRefreshIntervalMs) return undefined;
    return this.refresh();
  }
}

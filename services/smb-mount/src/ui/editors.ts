// What the UI needs to know of the WOPI editors, from the WOPI host's discovery cache: the
// origins of their launch URLs (the page must allow framing and posting to them: csp.ts) and
// the file extensions they edit (the page offers "Open" for those only; the launch route
// decides the same way, by extension, with an edit action). An editor whose discovery is slow
// or down must not hold the page, so the wait is bounded and the last answer stands in.
import type { DiscoverySnapshot } from '../wopi/discovery-cache.js';
import { originsOf } from './csp.js';

export interface EditorSummary {
  origins: readonly string[];
  extensions: readonly string[];
}

const NONE: EditorSummary = { origins: [], extensions: [] };

export function summarize(snapshot: DiscoverySnapshot): EditorSummary {
  const urls: string[] = [];
  const extensions = new Set<string>();
  for (const editor of snapshot.editors) {
    if (editor === undefined) continue;
    for (const [extension, actions] of editor.byExtension) {
      if (actions.edit !== undefined && extension !== '') extensions.add(extension);
    }
    for (const actions of [...editor.byExtension.values(), ...editor.byMimetype.values()]) {
      if (actions.edit !== undefined) urls.push(actions.edit);
      if (actions.view !== undefined) urls.push(actions.view);
    }
  }
  return { origins: originsOf(urls), extensions: [...extensions].sort() };
}

export class Editors {
  readonly #snapshot: () => Promise<DiscoverySnapshot> | undefined;
  readonly #waitMs: number;
  #last: EditorSummary = NONE;

  /** `snapshot`: the WOPI host's discovery (undefined when the service has no WOPI host). */
  constructor(snapshot: () => Promise<DiscoverySnapshot> | undefined, waitMs = 1500) {
    this.#snapshot = snapshot;
    this.#waitMs = waitMs;
  }

  async current(): Promise<EditorSummary> {
    const pending = this.#snapshot();
    if (pending === undefined) return NONE;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        resolve(undefined);
      }, this.#waitMs);
    });
    // A failed discovery leaves the editors as last known (the WOPI host logs its failures).
    const settled = pending.then(
      (snapshot) => snapshot,
      () => undefined,
    );
    try {
      const snapshot = await Promise.race([settled, late]);
      if (snapshot !== undefined) this.#last = summarize(snapshot);
    } finally {
      clearTimeout(timer);
    }
    return this.#last;
  }
}

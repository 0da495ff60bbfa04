// A small in-process cache with a lifetime per entry and a bound on its size, which also joins
// concurrent look-ups of one key: parallel requests with a new token ask the IdP once. Bearer
// tokens' identities and directory listings are kept in it.

export class ExpiringCache<Value> {
  readonly #entries = new Map<string, { value: Value; expires: number }>();
  readonly #pending = new Map<string, Promise<{ value: Value; ttlMs: number }>>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; now?: () => number }) {
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Value | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: Value, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
    // A Map iterates in insertion order: the first keys are the oldest.
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  /**
   * The cached value, or the one `load` finds, cached for the lifetime it returns. Callers asking
   * for the same key while a load runs share it; a failed load caches nothing.
   */
  async getOrLoad(
    key: string,
    load: () => Promise<{ value: Value; ttlMs: number }>,
  ): Promise<Value> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = load()
        .then((loaded) => {
          this.set(key, loaded.value, loaded.ttlMs);
          return loaded;
        })
        .finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return (await pending).value;
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

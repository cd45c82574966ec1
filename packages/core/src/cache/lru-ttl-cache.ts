import type { Clock } from '../clock.js';

export interface LruTtlCacheOptions<K, V> {
  maxEntries: number;
  ttlMs: number;
  clock: Clock;
  /** Called once for every value that leaves the cache, with why it left. */
  onDispose?: (value: V, key: K, reason: DisposeReason) => void;
  /** How often expired entries are swept even if nobody reads them; 0 disables the timer. */
  sweepIntervalMs?: number;
}

/** Why a value left: its TTL passed, room was needed, it was replaced, or it was deleted. */
export type DisposeReason = 'expired' | 'capacity' | 'replaced' | 'deleted';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded LRU with a TTL per entry. A Map keeps insertion order, so re-inserting on each hit
 * makes its first key the least recently used. Expired entries are dropped on read and by a
 * sweep timer that is `unref()`'d, so a cache never keeps a process alive.
 */
export class LruTtlCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #options: LruTtlCacheOptions<K, V>;
  readonly #timer: NodeJS.Timeout | undefined;
  /** The most recently used key: re-inserting it would change nothing, so hot hits skip the Map churn. */
  #newest: K | undefined;

  constructor(options: LruTtlCacheOptions<K, V>) {
    this.#options = options;
    const interval = options.sweepIntervalMs ?? 0;
    this.#timer = interval > 0 ? setInterval(() => this.sweep(), interval).unref() : undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** `now` may be passed by a caller that already read the clock for this operation. */
  get(key: K, now = this.#options.clock.now()): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#remove(key, 'expired');
      return undefined;
    }
    if (this.#newest !== key) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  /**
   * Marks an entry as just used, as get() does, for a caller that reached its value another way
   * (through a link from another entry); nothing when it is already the newest or is not cached.
   */
  touch(key: K): void {
    if (this.#newest === key) return;
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newest = key;
  }

  set(key: K, value: V, ttlMs = this.#options.ttlMs): void {
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing.value === value) this.#entries.delete(key);
    else this.#remove(key, 'replaced');
    this.#entries.set(key, { value, expiresAt: this.#options.clock.now() + ttlMs });
    this.#newest = key;
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value as K;
      this.#remove(oldest, 'capacity');
    }
  }

  delete(key: K): boolean {
    return this.#remove(key, 'deleted');
  }

  #remove(key: K, reason: DisposeReason): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    if (this.#newest === key) this.#newest = undefined;
    this.#options.onDispose?.(entry.value, key, reason);
    return true;
  }

  /** Deletes every entry whose key matches; returns how many left. */
  deleteWhere(matches: (key: K) => boolean): number {
    let count = 0;
    for (const key of [...this.#entries.keys()]) if (matches(key) && this.delete(key)) count++;
    return count;
  }

  clear(): number {
    return this.deleteWhere(() => true);
  }

  sweep(): number {
    const now = this.#options.clock.now();
    let count = 0;
    for (const [key, entry] of [...this.#entries])
      if (entry.expiresAt <= now && this.#remove(key, 'expired')) count++;
    return count;
  }

  /** Stops the sweep timer and disposes every entry. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.clear();
  }
}

/** One load in flight for a key; `stale` is set when an eviction overtakes it. */
export interface Flight<V> {
  readonly promise: Promise<V>;
  stale: boolean;
}

/**
 * Single-flight: while a load for a key is running, later callers share its promise, so N
 * concurrent misses cost one KMS call. `abandon` detaches running loads (after an eviction) so that
 * their results are not cached and later callers start a fresh load.
 */
export class SingleFlight<K, V> {
  readonly #flights = new Map<K, Flight<V>>();

  get size(): number {
    return this.#flights.size;
  }

  /** Runs `load` unless one is running for `key`; `settle` sees the outcome before any caller does. */
  run(key: K, load: () => Promise<V>, settle: (value: V, flight: Flight<V>) => void): Promise<V> {
    const running = this.#flights.get(key);
    if (running !== undefined) return running.promise;
    let resolve!: (value: V) => void;
    let reject!: (reason: unknown) => void;
    const flight: Flight<V> = {
      promise: new Promise<V>((res, rej) => ((resolve = res), (reject = rej))),
      stale: false,
    };
    // Registered before the load starts, so a re-entrant or synchronously failing load is handled.
    this.#flights.set(key, flight);
    const finish = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    void (async () => {
      try {
        const value = await load();
        finish();
        settle(value, flight);
        resolve(value);
      } catch (error) {
        finish();
        reject(error);
      }
    })();
    return flight.promise;
  }

  abandon(matches: (key: K) => boolean): void {
    for (const [key, flight] of [...this.#flights]) {
      if (!matches(key)) continue;
      flight.stale = true;
      this.#flights.delete(key);
    }
  }
}
